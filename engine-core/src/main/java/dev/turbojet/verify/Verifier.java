package dev.turbojet.verify;

import dev.turbojet.io.CheckpointException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** Runs every suite that recognises a golden file, for every golden file in a folder. */
public final class Verifier {
    private final List<GoldenSuite> suites;

    public Verifier(List<GoldenSuite> suites) {
        this.suites = List.copyOf(suites);
    }

    /** Checks every {@code *.safetensors} in {@code goldens}, in name order; each line also goes to {@code sink}. */
    public List<CheckLine> run(VerifyContext ctx, Path goldens, Consumer<CheckLine> sink) {
        List<Path> files;
        try (Stream<Path> s = Files.list(goldens)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
        } catch (IOException e) {
            throw new CheckpointException(goldens + ": cannot list the goldens folder: " + e.getMessage(), e);
        }
        if (files.isEmpty()) throw new CheckpointException(goldens + ": no .safetensors golden files there");
        List<CheckLine> all = new ArrayList<>();
        for (Path file : files) {
            try (GoldenFile golden = GoldenFile.open(file)) {
                VerifyReport report = new VerifyReport(golden, sink);
                boolean any = false;
                for (GoldenSuite suite : suites) {
                    if (!suite.accepts(golden)) continue;
                    any = true;
                    suite.run(ctx, golden, report);
                }
                report.finish(any ? "no check computes this tensor" : "no check recognises this golden file");
                all.addAll(report.lines());
            }
        }
        return all;
    }
}
