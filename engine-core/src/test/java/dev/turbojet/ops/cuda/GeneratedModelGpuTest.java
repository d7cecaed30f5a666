package dev.turbojet.ops.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.turbojet.io.ModelFolder;
import dev.turbojet.ops.Ops;
import dev.turbojet.ops.cpu.CpuOps;
import dev.turbojet.pipeline.GeneratedImage;
import dev.turbojet.pipeline.GenerationListener;
import dev.turbojet.pipeline.GenerationRequest;
import dev.turbojet.pipeline.PipelineOptions;
import dev.turbojet.pipeline.SdxlPipeline;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.testing.GeneratedModel;
import dev.turbojet.verify.Comparison;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A tiny SDXL of another shape than the reference kit's ({@link GeneratedModel}: other widths and
 * layer counts, head dims 64 and 40 on the tensor-core attention kernels, 16 groups, a 96 x 64 image),
 * generated on the CUDA backend and on the CPU reference, compared step by step: each UNet
 * prediction and the decoded image, within the fp16 / bf16 model tolerances. No golden exists for
 * this model; the CPU backend, checked against the goldens elsewhere, is the reference.
 */
class GeneratedModelGpuTest {
    static final double FP16_TOL = 1e-2;
    static final double BF16_TOL = 3e-2;
    static final long ARENA = 512L << 20;

    @TempDir
    static Path dir;
    static Path model;

    @BeforeEach
    void gpuPresent() {
        assumeTrue(GpuSupport.available(), () -> GpuSupport.skipReason().orElse(""));
    }

    @BeforeAll
    static void writeModel() {
        model = GeneratedModel.write(dir.resolve("generated-sdxl"));
    }

    /** The noise predictions of every step, and the image. */
    record Run(List<HostTensor> eps, GeneratedImage image) {}

    static Run run(Ops ops, Optional<Ops> vaeOps, GenerationRequest.Builder request) {
        PipelineOptions options = PipelineOptions.defaults();
        if (vaeOps.isPresent()) options = options.withVaeOps(vaeOps.get());
        SdxlPipeline pipeline = SdxlPipeline.load(ModelFolder.resolve(model.toString(), Optional.empty()), ops, options);
        List<HostTensor> eps = new ArrayList<>();
        GenerationListener listener = step -> eps.add(step.noisePred());
        GeneratedImage image = pipeline.generate(request.listener(listener).build()).getFirst();
        return new Run(eps, image);
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void generatesWhatTheCpuGenerates(Precision p) {
        GenerationRequest.Builder request = GenerationRequest.builder("a lighthouse at dusk").size(96, 64).seed(5).steps(2);
        Run cpu = run(new CpuOps(), Optional.empty(), request);
        double tol = p == Precision.FP16 ? FP16_TOL : BF16_TOL;
        try (CudaOps gpu = CudaOps.open(new CudaOps.Options(0, p, ARENA));
             CudaOps vae = CudaOps.open(new CudaOps.Options(0, Precision.BF16, ARENA))) {
            System.out.println("generated model on " + gpu.describe());
            Run cuda = run(gpu, Optional.of(vae), request);
            for (int i = 0; i < cpu.eps().size(); i++) {
                Comparison c = Comparison.of("eps step " + i + " " + p.label(), cuda.eps().get(i), cpu.eps().get(i));
                System.out.println(c.summary());
                assertTrue(c.relErr() <= tol, () -> c.summary() + c.firstMismatches());
            }
            Comparison image = Comparison.of("image " + p.label(), cuda.image().pixels(), cpu.image().pixels());
            System.out.println(image.summary());
            assertTrue(image.relErr() <= tol, () -> image.summary() + image.firstMismatches());
        }
    }
}
