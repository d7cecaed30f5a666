package dev.turbojet.verify;

import dev.turbojet.tensor.HostTensor;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The lines of one golden file's checks, and which of its tensors they covered (as inputs or as
 * compared outputs); whatever no check covered is reported as not yet supported.
 */
public final class VerifyReport {
    private final GoldenFile golden;
    private final List<CheckLine> lines = new ArrayList<>();
    private final Set<String> covered = new HashSet<>();
    private final Consumer<CheckLine> sink;

    public VerifyReport(GoldenFile golden, Consumer<CheckLine> sink) {
        this.golden = golden;
        this.sink = sink;
    }

    /** The golden tensor {@code name}, read as an input of a computation. */
    public HostTensor input(String name) {
        covered.add(name);
        return golden.host(name);
    }

    /** The golden tensor {@code name} without marking it covered. */
    HostTensor golden(String name) {
        return golden.host(name);
    }

    /** Integer golden input (ids, seeds, indices). */
    public long[] inputLongs(String name) {
        covered.add(name);
        return golden.longs(name);
    }

    /** Marks golden tensors as used without reading them (e.g. metadata-like tensors). */
    public void cover(String... names) {
        covered.addAll(List.of(names));
    }

    /** Compares {@code actual} with the golden {@code name} and records the line. */
    public CheckLine check(String name, HostTensor actual, Tolerance tol) {
        covered.add(name);
        HostTensor expected = golden.host(name);
        CheckLine line;
        if (!expected.shape().equals(actual.shape())) {
            line = CheckLine.failed(golden.fileName(), name, "shape " + actual.shape() + ", expected " + expected.shape());
        } else {
            line = CheckLine.compared(golden.fileName(), Comparison.of(name, actual, expected, tol.scaled()), tol);
        }
        add(line);
        return line;
    }

    /** A golden this run cannot compute, with the reason. */
    public void notSupported(String name, String why) {
        covered.add(name);
        add(CheckLine.notSupported(golden.fileName(), name, why));
    }

    /** A check that could not run at all (an exception), charged to {@code name}. */
    public void error(String name, Throwable t) {
        covered.add(name);
        add(CheckLine.failed(golden.fileName(), name, "error: " + t));
    }

    /** Lists every golden tensor no check covered. */
    public void finish(String why) {
        for (String n : golden.names()) {
            if (!covered.contains(n)) add(CheckLine.notSupported(golden.fileName(), n, why));
        }
    }

    public String fileName() {
        return golden.fileName();
    }

    public List<CheckLine> lines() {
        return List.copyOf(lines);
    }

    void add(CheckLine line) {
        covered.add(line.tensor());
        lines.add(line);
        sink.accept(line);
    }
}
