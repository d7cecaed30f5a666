package dev.turbojet.ops.cpu;

import dev.turbojet.ffi.onednn.OneDnn;
import dev.turbojet.ffi.onednn.OneDnnConv;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;

/**
 * Stride-1 convolutions of large images on oneDNN's direct convolution ({@link OneDnnConv}), by bands of
 * output rows so that the native copies stay small: each band's input rows (with their halo) are copied
 * into a native buffer, convolved (bias included) into another, and its output rows copied out. The
 * weights go to oneDNN in their stored layout (tap-major; a 16-bit weight widened first) and are reordered
 * into the implementation's once per call and band primitive, which costs a few per cent at the sizes this
 * path takes (at least {@link #MIN_PIXELS} output pixels: 8,192 FLOPs per weight element and up).
 *
 * <p>Measured on a 2-core AVX-512 Xeon, back to back: the SDXL VAE decode's 3x3 convolutions at 254
 * GFLOP/s where the shifted-GEMM path ({@link BlasGemm}) ran at 215 (bench/NOTES.md); the UNet at 512^2,
 * whose only takers are its 64x64 convolutions, within noise.
 */
final class DnnlConvolutions {
    /** The fewest output pixels per image for which this path is taken. */
    static final int MIN_PIXELS = 4096;
    /** The fewest output channels (oneDNN's kernels block channels by 16; three-channel convs stay on sgemm). */
    static final int MIN_CHANNELS = 16;
    /** Floats of a band's native input copy, at most (16 MB), unless one row of every channel is larger. */
    static final int BAND_FLOATS = Integer.getInteger("turbojet.cpu.onednnBandFloats", 1 << 22);

    private record Key(int cin, int cout, int h, int w, int kh, int kw, int padT, int padB, int padLR, boolean bias,
                       boolean tapMajor) {
    }

    /** A calling thread's native buffers, grown as needed. */
    static final class Buffers {
        MemorySegment src = MemorySegment.NULL, dst = MemorySegment.NULL, weights = MemorySegment.NULL, blocked = MemorySegment.NULL,
                bias = MemorySegment.NULL, scratchpad = MemorySegment.NULL;
        /** A 16-bit weight widened, in its stored order. */
        float[] widened = new float[0];

        /** {@code held} if it has {@code bytes}, else a new 64-byte-aligned buffer at least 1.5 times as large. */
        static MemorySegment fit(MemorySegment held, long bytes) {
            if (held.byteSize() >= bytes) return held;
            return Arena.ofAuto().allocate(Math.max(bytes, held.byteSize() + held.byteSize() / 2), 64);
        }
    }

    private final OneDnn dnn;
    private final int threads;
    private final int bandFloats;
    private final Map<Key, OneDnnConv> primitives = new HashMap<>();
    private final ThreadLocal<Buffers> buffers = ThreadLocal.withInitial(Buffers::new);

    DnnlConvolutions(OneDnn dnn, int threads) {
        this(dnn, threads, BAND_FLOATS);
    }

    /** With bands of at most {@code bandFloats} input floats (tests make them small). */
    DnnlConvolutions(OneDnn dnn, int threads, int bandFloats) {
        this.dnn = dnn;
        this.threads = threads;
        this.bandFloats = bandFloats;
    }

    /** Whether a stride-1 conv of this shape goes here. */
    static boolean takes(int cout, int ho, int wo) {
        return cout >= MIN_CHANNELS && (long) ho * wo >= MIN_PIXELS;
    }

    private OneDnnConv primitive(Key k) {
        synchronized (primitives) {
            return primitives.computeIfAbsent(k, key -> OneDnnConv.create(dnn, key.cin, key.cout, key.h, key.w, key.kh, key.kw,
                    key.padT, key.padB, key.padLR, key.padLR, key.bias, key.tapMajor));
        }
    }

    /** out[n, cout, ho, wo] = bias + conv(x[n, cin, h, w], weight), stride 1, zero padding {@code pad}; bias may be null. */
    void conv2d(float[] x, int n, int cin, int h, int w, CpuTensor weight, float[] bias, int cout, int kh, int kw, int pad,
                int ho, int wo, float[] out) {
        Buffers b = buffers.get();
        dnn.threadsOnThisThread(threads);
        int weightFloats = cout * cin * kh * kw;
        float[] stored = weight.data;
        if (stored == null) {
            if (b.widened.length < weightFloats) b.widened = new float[weightFloats];
            weight.storageRange(0, b.widened, 0, weightFloats);
            stored = b.widened;
        }
        b.weights = Buffers.fit(b.weights, weightFloats * 4L);
        MemorySegment.copy(stored, 0, b.weights, ValueLayout.JAVA_FLOAT, 0, weightFloats);
        if (bias != null) {
            b.bias = Buffers.fit(b.bias, (long) cout * 4);
            MemorySegment.copy(bias, 0, b.bias, ValueLayout.JAVA_FLOAT, 0, cout);
        }
        int rows = Math.max(1, Math.min(ho, bandFloats / Math.max(1, cin * w) - (kh - 1)));
        OneDnnConv previous = null;
        for (int img = 0; img < n; img++) {
            int xOff = img * cin * h * w, oOff = img * cout * ho * wo;
            for (int y0 = 0; y0 < ho; y0 += rows) {
                int y1 = Math.min(ho, y0 + rows);
                int iy0 = Math.max(0, y0 - pad), iy1 = Math.min(h, y1 - pad + kh - 1);
                int padT = iy0 - (y0 - pad), padB = (y1 - pad + kh - 1) - iy1, hb = iy1 - iy0;
                OneDnnConv conv = primitive(new Key(cin, cout, hb, w, kh, kw, padT, padB, pad, bias != null, weight.tapMajor));
                if (conv.outHeight() != y1 - y0 || conv.outWidth() != wo) {
                    throw new IllegalStateException("band " + y0 + ".." + y1 + " of a " + ho + "x" + wo + " conv output came out "
                            + conv.outHeight() + "x" + conv.outWidth());
                }
                // each band primitive chooses its own weights layout: reorder whenever the primitive changes
                if (conv != previous) {
                    b.blocked = Buffers.fit(b.blocked, conv.blockedWeightBytes());
                    conv.reorderWeights(b.weights.asSlice(0, weightFloats * 4L), b.blocked);
                }
                previous = conv;
                long srcFloats = (long) cin * hb * w, dstFloats = (long) cout * (y1 - y0) * wo;
                b.src = Buffers.fit(b.src, srcFloats * 4);
                b.dst = Buffers.fit(b.dst, dstFloats * 4);
                int band = y1 - y0;
                for (int ci = 0; ci < cin; ci++) {
                    MemorySegment.copy(x, xOff + (ci * h + iy0) * w, b.src, ValueLayout.JAVA_FLOAT, (long) ci * hb * w * 4, hb * w);
                }
                b.scratchpad = Buffers.fit(b.scratchpad, Math.max(64, conv.scratchpadBytes()));
                conv.execute(b.src.asSlice(0, srcFloats * 4), b.blocked, bias == null ? null : b.bias, b.dst.asSlice(0, dstFloats * 4),
                        b.scratchpad);
                for (int co = 0; co < cout; co++) {
                    MemorySegment.copy(b.dst, ValueLayout.JAVA_FLOAT, (long) co * band * wo * 4, out, oOff + (co * ho + y0) * wo, band * wo);
                }
            }
        }
    }
}
