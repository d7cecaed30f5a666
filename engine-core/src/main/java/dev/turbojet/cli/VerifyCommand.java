package dev.turbojet.cli;

import dev.turbojet.io.ModelFolder;
import dev.turbojet.ops.Backend;
import dev.turbojet.ops.Ops;
import dev.turbojet.verify.CheckLine;
import dev.turbojet.verify.GoldenSuite;
import dev.turbojet.verify.PipelineSuite;
import dev.turbojet.verify.SchedulerSuite;
import dev.turbojet.verify.TaesdSuite;
import dev.turbojet.verify.TextEncoderSuite;
import dev.turbojet.verify.TokenizerSuite;
import dev.turbojet.verify.TorchRandnSuite;
import dev.turbojet.verify.UNetSuite;
import dev.turbojet.verify.VaeSuite;
import dev.turbojet.verify.VerifyContext;
import dev.turbojet.verify.Verifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code turbojet verify}: the engine against golden tensors computed by diffusers and transformers. */
@Command(name = "verify",
        description = {
                "Run the engine on the stored inputs of every golden file in a folder and compare each output tensor.",
                "One line per tensor: name, shape, relative error ||a-e||/||e||, max |diff|, and pass/fail against",
                "the stated tolerance. Goldens the engine cannot compute yet are listed as not yet supported.",
                "Exits 1 when any tensor fails.",
                "TAESD goldens (decoder*.latents, encoder*.image) use taesdxl_decoder.safetensors and",
                "taesdxl_encoder.safetensors from the goldens folder, else from the model folder's taesd/ subfolder."},
        footer = {"", "Examples:",
                "  turbojet verify --model reference/tiny-sdxl --goldens reference/goldens",
                "  turbojet verify --model reference/tiny-sdxl --goldens reference/goldens --backend cpu --failures-only",
                "  turbojet verify --model reference/tiny-sdxl --goldens reference/taesdxl"},
        mixinStandardHelpOptions = true)
final class VerifyCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "The model folder the goldens were computed with.")
    String model;

    @Option(names = "--goldens", required = true, paramLabel = "DIR", description = "Folder of golden .safetensors files (and their JSON companions).")
    Path goldens;

    @Option(names = "--backend", defaultValue = "cpu", paramLabel = "NAME", description = "cpu, cuda or auto. Default: ${DEFAULT-VALUE}.")
    String backend;

    @Option(names = "--failures-only", description = "Print only failing and unsupported tensors (and the summary).")
    boolean failuresOnly;

    @Option(names = "--check-each-op", description = "Wait for every op and check its output for NaN and infinity, so a GPU"
            + " fault or the first non-finite value names the op that caused it (slow).")
    boolean checkEachOp;

    @Mixin
    PrecisionOption precision;

    @Spec
    CommandSpec spec;

    /** Every suite the engine has, in the order they run. */
    static List<GoldenSuite> suites() {
        return List.of(new TokenizerSuite(), new TextEncoderSuite(), new UNetSuite(), new VaeSuite(), new PipelineSuite(),
                new TaesdSuite(), new SchedulerSuite(), new TorchRandnSuite());
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ModelFolder folder = ModelFolder.resolve(model, Optional.empty());
        Ops ops = precision.open(backend, notice -> err.println("turbojet verify: " + notice));
        out.println("verify " + folder.root() + " against " + goldens + " on " + ops.describe());
        List<CheckLine> lines;
        try (VerifyContext ctx = new VerifyContext(folder, ops, checkEachOp)) {
            lines = new Verifier(suites()).run(ctx, goldens, line -> {
                if (!failuresOnly || line.status() != CheckLine.Status.PASS) {
                    out.println(line.format());
                    out.flush();
                }
            });
        }
        long passed = lines.stream().filter(l -> l.status() == CheckLine.Status.PASS).count();
        long failed = lines.stream().filter(l -> l.status() == CheckLine.Status.FAIL).count();
        long unsupported = lines.stream().filter(l -> l.status() == CheckLine.Status.NOT_SUPPORTED).count();
        lines.stream().filter(l -> l.comparison() != null && l.status() == CheckLine.Status.PASS && l.note().isEmpty())
                .max(java.util.Comparator.comparingDouble(l -> l.comparison().relErr()))
                .ifPresent(w -> out.printf("worst relative error: %.3e  %s:%s%n", w.comparison().relErr(), w.file(), w.tensor()));
        out.printf("verify: %d tensors ok, %d failed, %d not yet supported%n", passed, failed, unsupported);
        return failed == 0 ? 0 : 1;
    }
}
