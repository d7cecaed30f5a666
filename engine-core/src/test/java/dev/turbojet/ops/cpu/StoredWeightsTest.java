package dev.turbojet.ops.cpu;

import dev.turbojet.io.TensorView;
import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;
import dev.turbojet.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;

import static dev.turbojet.ops.cpu.CpuOpsTest.FP32_REL_TOL;
import static dev.turbojet.ops.cpu.CpuOpsTest.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The native-GEMM backends' (oneDNN's, OpenBLAS's) stored weights: 16-bit matrices kept 16-bit, k x k conv weights tap-major. Every
 * op must give what the fp64 reference gives on the same (16-bit-rounded) values, through every code
 * path: split by rows or columns, by output channels or by bands, 1x1, strided, and ops that only read
 * a plain copy (download, reshape, add).
 */
class StoredWeightsTest {
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private final Random rnd = new Random(77);

    /** A backend on {@code simd}, a native GEMM; the test is skipped where that library does not load. */
    private static CpuOps nativeOps(CpuOps.Simd simd) {
        if (simd == CpuOps.Simd.ONEDNN) {
            Assumptions.assumeTrue(CpuOps.oneDnnPresent(), "oneDNN does not load here: " + dev.turbojet.ffi.onednn.OneDnn.whyUnavailable());
        } else {
            Assumptions.assumeTrue(CpuOps.openBlasPresent(), "OpenBLAS does not load here: " + dev.turbojet.ffi.openblas.OpenBlas.whyUnavailable());
        }
        return new CpuOps(2, simd);
    }

    /** {@code h} rounded to {@code dt}, as a checkpoint view, and the rounded values. */
    private static HostTensor rounded(HostTensor h, DType dt) {
        float[] d = h.data().clone();
        for (int i = 0; i < d.length; i++) {
            d[i] = switch (dt) {
                case F16 -> Float.float16ToFloat(Float.floatToFloat16(d[i]));
                case BF16 -> Float.intBitsToFloat(Float.floatToRawIntBits(d[i]) & 0xffff0000);
                default -> d[i];
            };
        }
        return new HostTensor(h.shape(), d);
    }

    private static TensorView view(Arena arena, String name, HostTensor h, DType dt) {
        float[] d = h.data();
        MemorySegment seg = arena.allocate((long) d.length * dt.byteSize());
        for (int i = 0; i < d.length; i++) {
            switch (dt) {
                case F32 -> seg.setAtIndex(F32, i, d[i]);
                case F16 -> seg.setAtIndex(I16, i, Float.floatToFloat16(d[i]));
                default -> seg.setAtIndex(I16, i, (short) (Float.floatToRawIntBits(d[i]) >>> 16));
            }
        }
        return new TensorView(name, dt, h.shape(), seg, "test");
    }

    @ParameterizedTest
    @EnumSource(value = CpuOps.Simd.class, names = {"ONEDNN", "OPENBLAS"})
    void convolutionsWithStoredWeights(CpuOps.Simd simd) {
        int[][] cases = { // n, cin, h, w, cout, kh, kw, stride, pad
                {1, 64, 6, 7, 48, 3, 3, 1, 1},    // weight larger than the image: split by output channels
                {2, 8, 33, 30, 40, 3, 3, 1, 1},   // image larger: bands of rows
                {1, 30, 9, 9, 40, 3, 3, 2, 1},    // strided: im2col on the plain weight
                {1, 20, 8, 8, 36, 2, 3, 1, 0},    // rectangular, unpadded
                {1, 300, 5, 5, 256, 1, 1, 1, 0},  // 1x1 with a 16-bit weight (76,800 elements)
                {1, 40, 4, 5, 1700, 3, 3, 1, 1},  // 16-bit tap-major, many channels
        };
        try (Arena arena = Arena.ofConfined(); CpuOps ops = nativeOps(simd)) {
            for (DType dt : new DType[]{DType.F32, DType.F16, DType.BF16}) {
                for (int[] c : cases) {
                    HostTensor x = Reference.random(rnd, c[0], c[1], c[2], c[3]);
                    HostTensor w = rounded(Reference.random(rnd, c[4], c[1], c[5], c[6]), dt);
                    HostTensor b = Reference.random(rnd, c[4]);
                    Tensor stored = ops.weight(view(arena, "w", w, dt));
                    int ho = (c[2] + 2 * c[8] - c[5]) / c[7] + 1, wo = (c[3] + 2 * c[8] - c[6]) / c[7] + 1;
                    HostTensor y = ops.download(ops.conv2d(ops.upload(x), stored, ops.upload(b), c[7], c[8]));
                    check("conv2d " + dt + " " + stored + " s" + c[7] + " p" + c[8], y, Shape.of(c[0], c[4], ho, wo),
                            Reference.conv2d(x, w, b, c[7], c[8]), FP32_REL_TOL);
                    assertArrayEquals(w.data(), ops.download(stored).data(), "download of " + stored);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = CpuOps.Simd.class, names = {"ONEDNN", "OPENBLAS"})
    void linearsWithStoredWeights(CpuOps.Simd simd) {
        int[][] cases = {{4096, 64, 40}, {77, 300, 700}, {5, 256, 257}, {200, 2000, 40}}; // rows, in, out
        try (Arena arena = Arena.ofConfined(); CpuOps ops = nativeOps(simd)) {
            for (DType dt : new DType[]{DType.F16, DType.BF16, DType.F32}) {
                for (int[] c : cases) {
                    HostTensor x = Reference.random(rnd, c[0], c[1]);
                    HostTensor w = rounded(Reference.random(rnd, c[2], c[1]), dt);
                    HostTensor b = Reference.random(rnd, c[2]);
                    Tensor stored = ops.weight(view(arena, "w", w, dt));
                    boolean half = dt != DType.F32 && w.shape().numel() >= CpuOps.HALF_MIN_ELEMENTS;
                    assertEquals(half ? dt : DType.F32, stored.dtype(), stored.toString());
                    for (HostTensor bias : new HostTensor[]{b, null}) {
                        HostTensor y = ops.download(ops.linear(ops.upload(x), stored, bias == null ? null : ops.upload(bias)));
                        check("linear " + dt + " " + stored, y, Shape.of(c[0], c[2]), Reference.linear(x, w, bias), FP32_REL_TOL);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = CpuOps.Simd.class, names = {"ONEDNN", "OPENBLAS"})
    void otherOpsReadAPlainCopy(CpuOps.Simd simd) {
        try (Arena arena = Arena.ofConfined(); CpuOps ops = nativeOps(simd)) {
            HostTensor table = rounded(Reference.random(rnd, 600, 128), DType.F16);
            Tensor stored = ops.weight(view(arena, "table", table, DType.F16));
            assertEquals(DType.F16, stored.dtype());
            HostTensor rows = ops.download(ops.embedding(stored, new int[][]{{3, 599, 0}}));
            for (int j = 0; j < 128; j++) {
                assertEquals(table.data()[3 * 128 + j], rows.data()[j]);
                assertEquals(table.data()[599 * 128 + j], rows.data()[128 + j]);
            }
            Tensor flat = ops.reshape(stored, Shape.of(300, 256));
            assertEquals(DType.F16, flat.dtype(), "reshape keeps the 16-bit storage");
            HostTensor x = Reference.random(rnd, 3, 256);
            check("linear on a reshaped 16-bit weight", ops.download(ops.linear(ops.upload(x), flat, null)), Shape.of(3, 300),
                    Reference.linear(x, new HostTensor(Shape.of(300, 256), table.data()), null), FP32_REL_TOL);
            HostTensor sum = ops.download(ops.add(stored, stored));
            for (int i = 0; i < sum.data().length; i += 97) assertEquals(2 * table.data()[i], sum.data()[i]);
            HostTensor conv = rounded(Reference.random(rnd, 8, 4, 3, 3), DType.F32);
            Tensor tap = ops.weight(view(arena, "conv", conv, DType.F32));
            assertArrayEquals(conv.data(), ops.download(ops.reshape(tap, Shape.of(8, 36))).data(), "tap-major reshaped back to logical");
        }
    }
}
