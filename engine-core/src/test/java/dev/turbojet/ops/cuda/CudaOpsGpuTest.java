package dev.turbojet.ops.cuda;

import dev.turbojet.ffi.GpuTests;
import dev.turbojet.io.TensorView;
import dev.turbojet.ops.Act;
import dev.turbojet.ops.Ops;
import dev.turbojet.ops.cpu.CpuOps;
import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;
import dev.turbojet.tensor.Tensor;
import dev.turbojet.verify.Comparison;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every CudaOps method against CpuOps on fresh random inputs, in fp16 and bf16, including the real
 * SDXL shapes on a GPU ({@link Sizes#SDXL}); on the CUDA emulator, which runs every GPU thread on the
 * CPU, the same cases with the widths and sizes scaled down ({@link Sizes#EMULATED}: same code paths,
 * head dims and group counts). Each case runs in its own arena pass whose free memory is first
 * poisoned with NaN bytes, so an output element the GPU never writes fails the comparison. Prints one
 * summary line per op, shape and precision. Skips, with the reason, where the CUDA backend cannot start.
 */
class CudaOpsGpuTest {
    /** relErr = ||gpu - cpu|| / ||cpu||, the CPU result computed in fp32 on the unrounded inputs. */
    static final double FP16_TOL = 3e-3;
    static final double BF16_TOL = 1e-2;
    /**
     * The widths and sizes of the cases: SDXL's own ({@code c1..c3} block widths, {@code hw} the 512²
     * latent side, {@code ff} the feed-forward width, {@code heads2, heads3} heads of 64 at c2 and c3), or
     * smaller ones keeping SDXL's head dim 64 and 32 groups for the emulator.
     */
    record Sizes(int c1, int c2, int c3, int hw, int ff, int heads2, int heads3, long arena) {
        static final Sizes SDXL = new Sizes(320, 640, 1280, 64, 5120, 10, 20, 6L << 30);
        static final Sizes EMULATED = new Sizes(64, 128, 256, 16, 1024, 2, 4, 512L << 20);
    }

    static Sizes z = Sizes.SDXL;
    static CpuOps cpu;
    static final Map<Precision, CudaOps> gpus = new EnumMap<>(Precision.class);

    @BeforeEach
    void gpuPresent() {
        assumeTrue(GpuSupport.available(), () -> GpuSupport.skipReason().orElse(""));
    }

    @BeforeAll
    static void open() {
        if (!GpuSupport.available()) return;
        cpu = new CpuOps();
        z = GpuTests.emulated() ? Sizes.EMULATED : Sizes.SDXL;
        for (Precision p : Precision.values()) gpus.put(p, CudaOps.open(new CudaOps.Options(0, p, z.arena())));
        System.out.println("GPU backend: " + gpus.get(Precision.FP16).describe());
    }

    @AfterAll
    static void close() {
        gpus.values().forEach(CudaOps::close);
        gpus.clear();
    }

    static double tol(Precision p) {
        return p == Precision.FP16 ? FP16_TOL : BF16_TOL;
    }

    static HostTensor random(long seed, long... dims) {
        Random r = new Random(seed);
        Shape s = Shape.of(dims);
        float[] a = new float[Math.toIntExact(s.numel())];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
        return new HostTensor(s, a);
    }

    static TensorView view(String name, HostTensor h) {
        MemorySegment seg = Arena.ofAuto().allocate(4L * h.data().length, 16);
        MemorySegment.copy(h.data(), 0, seg, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, h.data().length);
        return new TensorView(name, DType.F32, h.shape(), seg, "random");
    }

    /** Inputs of one case: uploaded activations ("x") or bound weights ("w"), in order. */
    record In(HostTensor data, boolean weight) {}

    static In act(long seed, long... dims) {
        return new In(random(seed, dims), false);
    }

    static In w(long seed, long... dims) {
        return new In(random(seed, dims), true);
    }

    /** Runs {@code f} on both backends and compares; fails on NaN (poisoned, unwritten) outputs too. */
    static void check(Precision p, String name, Function<Tensor[], Object> f, In... ins) {
        CudaOps gpu = gpus.get(p);
        Tensor[] c = new Tensor[ins.length];
        for (int i = 0; i < ins.length; i++) c[i] = ins[i].weight() ? cpu.weight(view("w" + i, ins[i].data())) : cpu.upload(ins[i].data());
        HostTensor expected = cpu.download(result(f.apply(c)));
        gpu.beginPass();
        try {
            gpu.poisonFreeArena();
            Tensor[] g = new Tensor[ins.length];
            for (int i = 0; i < ins.length; i++) g[i] = ins[i].weight() ? gpu.weight(view("w" + i, ins[i].data())) : gpu.upload(ins[i].data());
            long t0 = System.nanoTime();
            HostTensor actual = gpu.download(result(f.apply(g)));
            double ms = (System.nanoTime() - t0) / 1e6;
            Comparison cmp = Comparison.of(name + " " + p.label(), actual, expected);
            boolean ok = cmp.relErr() <= tol(p);
            System.out.printf("%s %-58s %-5s relErr %.3e  max|diff| %.3e  (tol %.0e, %.2f ms incl. download)%n",
                    ok ? "OK  " : "FAIL", name + " " + expected.shape(), p.label(), cmp.relErr(), cmp.maxAbsDiff(), tol(p), ms);
            assertTrue(ok, () -> cmp.summary() + " exceeds relErr " + tol(p) + ":" + cmp.firstMismatches());
        } finally {
            gpu.endPass();
        }
    }

    private static Tensor result(Object o) {
        return (Tensor) o;
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void conv2d(Precision p) {
        int c1 = z.c1(), c2 = z.c2(), hw = z.hw();
        check(p, "conv2d 3x3 " + c1 + "->" + c1 + " " + hw + "x" + hw + " (SDXL down_blocks.0)", t -> cpuOrGpu(t).conv2d(t[0], t[1], t[2], 1, 1),
                act(1, 1, c1, hw, hw), w(2, c1, c1, 3, 3), w(3, c1));
        check(p, "conv2d conv_in 3x3 4->" + c1, t -> cpuOrGpu(t).conv2d(t[0], t[1], t[2], 1, 1),
                act(4, 2, 4, 16, 16), w(5, c1, 4, 3, 3), w(6, c1));
        check(p, "conv2d downsample 3x3 s2", t -> cpuOrGpu(t).conv2d(t[0], t[1], t[2], 2, 1),
                act(7, 1, c1, hw / 2, hw / 2), w(8, c1, c1, 3, 3), w(9, c1));
        check(p, "conv2d 1x1 " + c2 + "->" + c1 + " no bias", t -> cpuOrGpu(t).conv2d(t[0], t[1], null, 1, 0),
                act(10, 1, c2, 16, 16), w(11, c1, c2, 1, 1));
        check(p, "conv2d VAE 3x3 s2 pad0 odd", t -> cpuOrGpu(t).conv2d(t[0], t[1], t[2], 2, 0),
                act(12, 1, 8, 9, 7), w(13, 16, 8, 3, 3), w(14, 16));
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void linear(Precision p) {
        int c1 = z.c1(), c2 = z.c2(), c3 = z.c3(), tokens = (z.hw() / 2) * (z.hw() / 2);
        check(p, "linear 768->" + c1 + " bias", t -> cpuOrGpu(t).linear(t[0], t[1], t[2]), act(20, 2, 77, 768), w(21, c1, 768), w(22, c1));
        check(p, "linear ff " + c2 + "->" + z.ff() + " (SDXL)", t -> cpuOrGpu(t).linear(t[0], t[1], t[2]), act(23, 1, tokens, c2),
                w(24, z.ff(), c2), w(25, z.ff()));
        check(p, "linear " + c3 + "->" + c3 + " no bias", t -> cpuOrGpu(t).linear(t[0], t[1]), act(26, 2, c3), w(27, c3, c3));
        // tokens from an NHWC tensor: the permute + reshape is free and the GEMM reads it directly
        check(p, "linear on NHWC tokens", t -> {
            Ops o = cpuOrGpu(t);
            Tensor tok = o.reshape(o.permute(t[0], 0, 2, 3, 1), Shape.of(1, 256, c1));
            return o.linear(tok, t[1], t[2]);
        }, act(28, 1, c1, 16, 16), w(29, c2, c1), w(30, c2));
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void norms(Precision p) {
        int c1 = z.c1(), c3 = z.c3(), hw = z.hw();
        check(p, "groupNorm " + c3 + "ch 32 groups SiLU (SDXL)", t -> cpuOrGpu(t).groupNorm(t[0], t[1], t[2], 32, 1e-5f, Act.SILU),
                act(40, 1, c3, hw / 2, hw / 2), w(41, c3), w(42, c3));
        check(p, "groupNorm " + c1 + "ch " + hw + "x" + hw + " batch 2", t -> cpuOrGpu(t).groupNorm(t[0], t[1], t[2], 32, 1e-5f, Act.NONE),
                act(43, 2, c1, hw, hw), w(44, c1), w(45, c1));
        check(p, "groupNorm rank 3 + GELU", t -> cpuOrGpu(t).groupNorm(t[0], t[1], t[2], 8, 1e-6f, Act.GELU),
                act(46, 2, 64, 10), w(47, 64), w(48, 64));
        check(p, "layerNorm " + hw * hw + "x" + c1, t -> cpuOrGpu(t).layerNorm(t[0], t[1], t[2], 1e-5f), act(49, 1, hw * hw, c1),
                w(50, c1), w(51, c1));
        check(p, "layerNorm 77x1280", t -> cpuOrGpu(t).layerNorm(t[0], t[1], t[2], 1e-5f), act(52, 2, 77, 1280), w(53, 1280), w(54, 1280));
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void attention(Precision p) {
        int hw = z.hw(), t1 = hw * hw, t2 = t1 / 4, t3 = t1 / 16;
        int[][] cases = {  // nq, nk, width, heads: head dim 64, as every SDXL UNet attention
                {t1, 77, z.c2(), z.heads2()}, {t2, 77, z.c2(), z.heads2()}, {t3, 77, z.c3(), z.heads3()},
                {t1, t1, z.c2(), z.heads2()}, {t2, t2, z.c2(), z.heads2()}, {t3, t3, z.c3(), z.heads3()},
                {64, 64, 512, 1},  // VAE mid-block attention: one 512-wide head (generic kernel)
                {77, 77, 96, 3}};  // head dim 32: generic kernel
        long seed = 60;
        for (int[] c : cases) {
            String kind = c[0] == c[1] ? "self" : "cross";
            check(p, "attention " + kind + " " + c[0] + "x" + c[1] + " d" + c[2] / c[3],
                    t -> cpuOrGpu(t).attention(t[0], t[1], t[2], c[3], false),
                    act(seed++, 1, c[0], c[2]), act(seed++, 1, c[1], c[2]), act(seed++, 1, c[1], c[2]));
        }
        check(p, "attention causal CLIP 77 d64 batch 2", t -> cpuOrGpu(t).attention(t[0], t[1], t[2], 12, true),
                act(90, 2, 77, 768), act(91, 2, 77, 768), act(92, 2, 77, 768));
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void pointwise(Precision p) {
        for (Act a : Act.values()) {
            check(p, "activation " + a + " NHWC", t -> cpuOrGpu(t).activation(t[0], a), act(100, 1, 320, 16, 16));
        }
        check(p, "geglu (SDXL feed-forward)", t -> cpuOrGpu(t).geglu(t[0]), act(101, 1, (z.hw() / 2) * (z.hw() / 2), z.ff()));
        check(p, "add same shape NHWC", t -> cpuOrGpu(t).add(t[0], t[1]), act(102, 2, 320, 16, 16), act(103, 2, 320, 16, 16));
        check(p, "add bias row", t -> cpuOrGpu(t).add(t[0], t[1]), act(104, 2, 77, 768), act(105, 768));
        check(p, "add position table [T, C]", t -> cpuOrGpu(t).add(t[0], t[1]), act(106, 2, 77, 768), act(107, 77, 768));
        check(p, "add channel vector [C, 1, 1]", t -> cpuOrGpu(t).add(t[0], t[1]), act(108, 1, 320, 8, 8), act(109, 320, 1, 1));
        check(p, "add scalar", t -> cpuOrGpu(t).add(t[0], t[1]), act(110, 3, 5), act(111, 1));
        check(p, "mul same shape", t -> cpuOrGpu(t).mul(t[0], t[1]), act(112, 2, 77, 768), act(113, 2, 77, 768));
        check(p, "mul channel vector [1, C, 1, 1]", t -> cpuOrGpu(t).mul(t[0], t[1]), act(114, 2, 320, 8, 8), act(115, 1, 320, 1, 1));
        check(p, "affine scale+shift", t -> cpuOrGpu(t).affine(t[0], 0.5f, 0.25f), act(116, 1, 320, 8, 8));
        check(p, "affine shift only", t -> cpuOrGpu(t).affine(t[0], 1f, -2f), act(117, 4, 33));
        check(p, "scale", t -> cpuOrGpu(t).scale(t[0], 0.18215f), act(118, 4, 33));
        check(p, "addChannelVector (SDXL temb)", t -> cpuOrGpu(t).addChannelVector(t[0], t[1]),
                act(119, 2, z.c3(), 16, 16), act(120, 2, z.c3()));
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void shapes(Precision p) {
        check(p, "toTokens and back (Transformer2DModel)", t -> {
            Ops o = cpuOrGpu(t);
            Tensor tok = o.reshape(o.permute(t[0], 0, 2, 3, 1), Shape.of(2, 64, 320));
            Tensor back = o.permute(o.reshape(o.add(tok, tok), Shape.of(2, 8, 8, 320)), 0, 3, 1, 2);
            return o.add(back, t[0]);
        }, act(130, 2, 320, 8, 8));
        check(p, "VAE attention reshape/permute", t -> {
            Ops o = cpuOrGpu(t);
            Tensor tok = o.permute(o.reshape(t[0], Shape.of(1, 512, 48)), 0, 2, 1);
            return o.reshape(o.permute(o.scale(tok, 2f), 0, 2, 1), Shape.of(1, 512, 6, 8));
        }, act(131, 1, 512, 6, 8));
        check(p, "reshape needing a copy (NHWC -> [N, C*H, W])", t -> cpuOrGpu(t).reshape(t[0], Shape.of(1, 12, 5)), act(132, 1, 4, 3, 5));
        check(p, "permute to NCHW-tokens [N, C, HW]", t -> cpuOrGpu(t).permute(t[0], 0, 2, 1), act(133, 1, 256, 320));
        check(p, "concat channels NHWC (UNet skip)", t -> cpuOrGpu(t).concat(1, t[0], t[1]), act(134, 1, z.c2(), z.hw() / 2, z.hw() / 2),
                act(135, 1, z.c1(), z.hw() / 2, z.hw() / 2));
        check(p, "concat [B, 1280] + [B, 1536]", t -> cpuOrGpu(t).concat(1, t[0], t[1]), act(136, 2, 1280), act(137, 2, 1536));
        check(p, "concat features 768 + 1280", t -> cpuOrGpu(t).concat(2, t[0], t[1]), act(138, 1, 77, 768), act(139, 1, 77, 1280));
        check(p, "concat three along dim 0", t -> cpuOrGpu(t).concat(0, t[0], t[1], t[2]), act(140, 1, 7), act(141, 2, 7), act(142, 3, 7));
        check(p, "concat three along last dim", t -> cpuOrGpu(t).concat(-1, t[0], t[1], t[2]), act(143, 3, 7), act(144, 3, 2), act(145, 3, 5));
        check(p, "slice rows (CLIP positions)", t -> cpuOrGpu(t).slice(t[0], 0, 0, 10), act(146, 77, 768));
        check(p, "slice middle dim", t -> cpuOrGpu(t).slice(t[0], 1, 3, 40), act(147, 2, 77, 64));
        check(p, "upsampleNearest 2x (SDXL)", t -> cpuOrGpu(t).upsampleNearest(t[0], z.hw(), z.hw()),
                act(148, 1, z.c3(), z.hw() / 2, z.hw() / 2));
        check(p, "upsampleNearest odd sizes", t -> cpuOrGpu(t).upsampleNearest(t[0], 7, 11), act(149, 2, 4, 3, 5));
        check(p, "pad2d (0, 1, 0, 1) VAE downsample", t -> cpuOrGpu(t).pad2d(t[0], 0, 1, 0, 1), act(150, 1, 128, 16, 16));
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void embeddings(Precision p) {
        float[] ts = {999f, 500f, 0f};
        check(p, "timestepEmbedding 320 cos-first (kernel)", t -> cpuOrGpu(t).timestepEmbedding(ts, 320, true, 0f, 10000f), act(160, 1));
        check(p, "timestepEmbedding 256 sin-first shift 1 (host)", t -> cpuOrGpu(t).timestepEmbedding(ts, 256, false, 1f, 10000f), act(161, 1));
        int[][] ids = new int[2][77];
        Random r = new Random(162);
        for (int[] row : ids) for (int j = 0; j < row.length; j++) row[j] = r.nextInt(1000);
        check(p, "embedding 1000x768 ids [2, 77]", t -> cpuOrGpu(t).embedding(t[0], ids), w(163, 1000, 768));
        check(p, "gatherRows [2, 77, 1280]", t -> cpuOrGpu(t).gatherRows(t[0], new int[] {5, 76}), act(164, 2, 77, 1280));
    }

    /** The backend that made t[0] (the lambdas run once per backend). */
    private static Ops cpuOrGpu(Tensor[] t) {
        if (t[0] instanceof CudaTensor c) return c.owner;
        return cpu;
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void staleTensorsAndForeignTensorsAreRejected(Precision p) {
        CudaOps gpu = gpus.get(p);
        gpu.beginPass();
        Tensor inPass = gpu.upload(random(170, 4, 4));
        gpu.endPass();
        List<String> errors = new ArrayList<>();
        try {
            gpu.add(inPass, inPass);
        } catch (IllegalStateException e) {
            errors.add(e.getMessage());
        }
        try {
            gpu.add(cpu.upload(random(171, 2)), cpu.upload(random(172, 2)));
        } catch (IllegalArgumentException e) {
            errors.add(e.getMessage());
        }
        if (errors.size() != 2) fail("expected two rejections, got " + errors);
        System.out.println("rejections: " + errors);
    }
}
