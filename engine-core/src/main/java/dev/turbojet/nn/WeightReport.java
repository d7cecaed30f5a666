package dev.turbojet.nn;

import dev.turbojet.io.CheckpointException;
import dev.turbojet.io.TensorSource;
import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.Shape;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** What a model load found wrong with a checkpoint: missing, misshapen, mistyped, non-finite and unused tensors. */
public final class WeightReport {
    private static final int MAX_LISTED = 50;
    private final TensorSource source;
    private final Set<String> used = new HashSet<>();
    private final List<String> problems = new ArrayList<>();
    private int misshapen;

    WeightReport(TensorSource source) {
        this.source = source;
    }

    synchronized void used(String name) {
        used.add(name);
    }

    synchronized void missing(String name, Shape want) {
        problems.add("missing    " + name + " " + want);
    }

    synchronized void misshapen(String name, Shape want, Shape got) {
        misshapen++;
        problems.add("wrong shape " + name + ": expected " + want + ", checkpoint has " + got);
    }

    synchronized void wrongType(String name, DType got) {
        problems.add("wrong dtype " + name + ": expected a floating-point type, checkpoint has " + got);
    }

    synchronized void nonFinite(String name, long index, float value) {
        problems.add("not finite " + name + ": element " + index + " is " + value + " (the checkpoint is corrupt or was saved"
                + " after a diverged step)");
    }

    /** Names in the source that no part of the model asked for. */
    public synchronized Set<String> unused() {
        Set<String> out = new TreeSet<>(source.names());
        out.removeAll(used);
        return out;
    }

    public synchronized List<String> problems() {
        List<String> all = new ArrayList<>(problems);
        for (String name : unused()) all.add("unexpected " + name);
        return all;
    }

    /**
     * Throws one exception listing every problem (the first {@value MAX_LISTED}), or returns. Where the
     * source has a {@link TensorSource#shapeMismatchHint} and shapes differ, the message is that hint and
     * the counts in one line, and the list is the exception's cause.
     */
    public void check() {
        List<String> all = problems();
        if (all.isEmpty()) return;
        StringBuilder msg = new StringBuilder(source.description()).append(": ")
                .append(all.size()).append(" problem(s) binding the checkpoint to the model:");
        all.stream().limit(MAX_LISTED).forEach(p -> msg.append("\n  ").append(p));
        if (all.size() > MAX_LISTED) msg.append("\n  ... and ").append(all.size() - MAX_LISTED).append(" more");
        CheckpointException list = new CheckpointException(msg.toString());
        var hint = source.shapeMismatchHint();
        if (misshapen > 0 && hint.isPresent()) {
            throw new CheckpointException(source.description() + ": " + hint.get() + " (" + misshapen + " tensor(s) of other"
                    + " shapes, " + all.size() + " problem(s) in all; --verbose lists them)", list);
        }
        throw list;
    }
}
