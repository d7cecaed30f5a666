package dev.turbojet.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.turbojet.ffi.cuda.DevicePtr;
import dev.turbojet.ffi.cuda.KernelArgs;
import dev.turbojet.ffi.cuda.LaunchConfig;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The launchers' grid maths and argument checks, with made-up device addresses (no GPU). */
class LauncherChecksTest {
    private static final DevicePtr A = new DevicePtr(0x10000);
    private static final DevicePtr B = new DevicePtr(0x20000);
    private static final DevicePtr C = new DevicePtr(0x30000);
    private static final DevicePtr D = new DevicePtr(0x40000);

    private static void rejects(String fragment, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    @Test
    void groupNormOneBlockPerBatchAndGroup() {
        Launch l = NormKernels.groupNorm(ElementType.F16, A, B, C, D, 2, 64 * 64, 320, 32, 1e-5f, true);
        assertEquals("group_norm_f16", l.kernel());
        assertEquals(LaunchConfig.linear(64, 512), l.config());
        List<KernelArgs.Arg> args = l.args().args();
        assertEquals(9, args.size());
        assertEquals(new KernelArgs.I32(4096), args.get(4));
        assertEquals(new KernelArgs.F32(1e-5f), args.get(7));
        assertEquals(new KernelArgs.I32(1), args.get(8));
        rejects("not divisible by 32", () -> NormKernels.groupNorm(ElementType.BF16, A, B, C, D, 1, 16, 100, 32, 1e-5f, false));
        rejects("eps must be positive", () -> NormKernels.groupNorm(ElementType.BF16, A, B, C, D, 1, 16, 64, 32, 0f, false));
        rejects("gamma is a null device pointer",
                () -> NormKernels.groupNorm(ElementType.F16, A, B, DevicePtr.NULL, D, 1, 16, 64, 32, 1e-5f, false));
        rejects("x DevicePtr[0x20001] is not aligned to 2 bytes",
                () -> NormKernels.groupNorm(ElementType.F16, A, B.plus(1), C, D, 1, 16, 64, 32, 1e-5f, false));
    }

    @Test
    void rowKernelsSizeTheirBlocksToTheRow() {
        assertEquals(LaunchConfig.linear(77, 96), NormKernels.softmax(ElementType.F16, A, B, 77, 77).config());
        assertEquals(LaunchConfig.linear(4096, 1024), NormKernels.layerNorm(ElementType.BF16, A, B, C, D, 4096, 1280, 1e-5f).config());
        assertEquals("layer_norm_bf16", NormKernels.layerNorm(ElementType.BF16, A, B, C, D, 1, 8, 1e-5f).kernel());
        rejects("rows", () -> NormKernels.softmax(ElementType.F16, A, B, 0, 77));
        rejects("exceeds the kernel's int range", () -> NormKernels.softmax(ElementType.F16, A, B, 1L << 32, 77));
    }

    @Test
    void elementwiseUsesGridStrideLoops() {
        Launch add = ElementwiseKernels.binary(ElementwiseKernels.Binary.ADD, ElementType.F16, A, B, C, 1000);
        assertEquals("add_f16", add.kernel());
        assertEquals(LaunchConfig.linear(4, 256), add.config());
        Launch huge = ElementwiseKernels.unary(ElementwiseKernels.Unary.GELU, ElementType.BF16, A, B, 1L << 34);
        assertEquals(Checks.MAX_BLOCKS, huge.config().gridX());
        assertEquals(new KernelArgs.I64(1L << 34), huge.args().args().get(2));
        assertEquals("quick_gelu_f16", ElementwiseKernels.unary(ElementwiseKernels.Unary.QUICK_GELU, ElementType.F16, A, B, 4).kernel());
        Launch geglu = ElementwiseKernels.geglu(ElementType.F16, A, B, 4096, 5120);
        assertEquals(new KernelArgs.I64(4096L * 5120), geglu.args().args().get(2));
        rejects("n must be whole rows", () -> ElementwiseKernels.addRow(ElementType.F16, A, B, C, 1000, 320));
        Launch nc = ElementwiseKernels.addBatchChannel(ElementType.F16, A, B, C, 2, 1024, 640);
        assertEquals("add_nc_f16", nc.kernel());
        assertEquals(new KernelArgs.I64(2L * 1024 * 640), nc.args().args().get(3));
        rejects("x DevicePtr[0x20002] is not aligned to 4 bytes", () -> ElementwiseKernels.fromF32(ElementType.F16, A, B.plus(2), 8));
        rejects("n must be positive", () -> ElementwiseKernels.scale(ElementType.F16, A, B, 2f, 0));
    }

    @Test
    void layoutKernels() {
        Launch up = LayoutKernels.upsample2x(A, B, 1, 32, 32, 640);
        assertEquals("upsample_nearest_nhwc_16", up.kernel());
        assertEquals(new KernelArgs.I32(64), up.args().args().get(6));
        assertEquals(new KernelArgs.I32(64), up.args().args().get(7));
        rejects("cannot transpose in place", () -> LayoutKernels.nchwToNhwc(A, A, 1, 4, 8, 8));
        Launch pad = LayoutKernels.pad(ElementType.BF16, A, B, 1, 64, 64, 128, 0, 1, 0, 1, 1.0f);
        assertEquals(new KernelArgs.I32(0x3F80), pad.args().args().get(10));
        assertEquals(new KernelArgs.I32(0x3C00),
                LayoutKernels.pad(ElementType.F16, A, B, 1, 2, 2, 2, 1, 1, 1, 1, 1.0f).args().args().get(10));
        rejects("top must not be negative", () -> LayoutKernels.pad(ElementType.F16, A, B, 1, 2, 2, 2, -1, 0, 0, 0, 0f));
        Launch cat = LayoutKernels.concatChannels(A, B, C, 4096, 640, 320);
        assertEquals(new KernelArgs.I64(4096), cat.args().args().get(3));
    }

    @Test
    void embeddings() {
        assertEquals("timestep_embedding_f16", EmbeddingKernels.timestep(ElementType.F16, A, B, 1, 320).kernel());
        rejects("t DevicePtr[0x20002] is not aligned to 4 bytes", () -> EmbeddingKernels.timestep(ElementType.F16, A, B.plus(2), 1, 320));
        Launch lookup = EmbeddingKernels.lookup(ElementType.BF16, EmbeddingKernels.IdType.I64, A, B, C, 77, 768, 49408);
        assertEquals("embedding_i64_bf16", lookup.kernel());
        rejects("ids DevicePtr[0x30004] is not aligned to 8 bytes",
                () -> EmbeddingKernels.lookup(ElementType.F16, EmbeddingKernels.IdType.I64, A, B, C.plus(4), 77, 768, 49408));
    }

    @Test
    void attentionPicksTensorCoreKernelsByHeadDim() {
        Launch self = AttentionKernel.plan(ElementType.F16, A, B, C, D, AttentionKernel.Shape.of(2, 4096, 4096, 10, 64, false));
        assertEquals("attention_d64_f16", self.kernel());
        assertEquals(new LaunchConfig(64, 10, 2, 128, 1, 1, 0), self.config());
        assertEquals(new KernelArgs.F32(0.125f), self.args().args().get(7));
        Launch cross = AttentionKernel.plan(ElementType.BF16, A, B, C, D, AttentionKernel.Shape.of(1, 1024, 77, 20, 64, false));
        assertEquals(new LaunchConfig(16, 20, 1, 128, 1, 1, 0), cross.config());
        Launch vae = AttentionKernel.plan(ElementType.BF16, A, B, C, D, AttentionKernel.Shape.of(1, 4096, 4096, 1, 512, false));
        assertEquals("attention_generic_bf16", vae.kernel());
        assertEquals(LaunchConfig.linear(1024, 128), vae.config());
        assertEquals("attention_d40_f16",
                AttentionKernel.plan(ElementType.F16, A, B, C, D, AttentionKernel.Shape.of(1, 77, 77, 12, 40, true)).kernel());
        rejects("causal attention needs nq == nk",
                () -> AttentionKernel.plan(ElementType.F16, A, B, C, D, AttentionKernel.Shape.of(1, 64, 77, 1, 64, true)));
        rejects("head dim 1024 above 512",
                () -> AttentionKernel.plan(ElementType.F16, A, B, C, D, AttentionKernel.Shape.of(1, 4, 4, 1, 1024, false)));
        rejects("out must not alias",
                () -> AttentionKernel.plan(ElementType.F16, B, B, C, D, AttentionKernel.Shape.of(1, 4, 4, 1, 64, false)));
    }

    @Test
    void bf16RoundsToNearestEven() {
        assertEquals((short) 0x3F80, ElementType.BF16.bits(1.0f));
        assertEquals((short) 0x3F80, ElementType.BF16.bits(Float.intBitsToFloat(0x3F808000)));  // tie → even
        assertEquals((short) 0x3F82, ElementType.BF16.bits(Float.intBitsToFloat(0x3F818000)));  // tie → even (up)
        assertEquals((short) 0xFF80, ElementType.BF16.bits(Float.NEGATIVE_INFINITY));
        assertTrue(Float.isNaN(Float.intBitsToFloat(ElementType.BF16.bits(Float.NaN) << 16)));
    }
}
