package dev.turbojet.bench;

import dev.turbojet.profile.Workloads;
import dev.turbojet.profile.SyntheticModels;
import dev.turbojet.profile.ModelSize;
import dev.turbojet.clip.TextEncoders;
import dev.turbojet.ops.Ops;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Both text encoders on one 77-token prompt as the pipeline runs them: text_encoder up to its
 * penultimate layer, text_encoder_2 in full with its projection. Synthetic weights.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules=jdk.incubator.vector",
        "-Xmx6g", "-XX:+UseParallelGC"})
public class TextEncoderBench {
    @Param({"cpu"})
    public String backend;
    @Param({"tiny", "full"})
    public String size;
    @Param({"fp32"})
    public String dtype;

    private Ops ops;
    private Workloads.PromptEncode encode;

    @Setup
    public void setUp() {
        ModelSize model = ModelSize.parse(size);
        ops = Backends.create(backend, dtype);
        Report.counted("text encoders " + size, Workloads.countTextEncoders(model, Backends.bytes(dtype)));
        long t0 = System.nanoTime();
        encode = Workloads.PromptEncode.create(SyntheticModels.textEncoders(model.textEncoder(), model.textEncoder2(), ops));
        Report.loaded(ops, t0);
    }

    @Benchmark
    public TextEncoders.PromptEmbeds encode() {
        return Backends.timed(ops, () -> encode.run(ops));
    }

    @TearDown
    public void tearDown() {
        ops.close();
    }
}
