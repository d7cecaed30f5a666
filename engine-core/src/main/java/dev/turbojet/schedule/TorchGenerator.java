package dev.turbojet.schedule;

import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;

/**
 * torch's CPU random stream: {@code torch.Generator("cpu").manual_seed(seed)} followed by any
 * sequence of {@code torch.randn} / {@code torch.rand} calls on contiguous tensors, bit for bit
 * (torch 1.13, checked against goldens/torch_randn.*).
 *
 * <p>How torch draws:
 * <ul>
 * <li>The engine is mt19937 seeded with the low 32 bits of the 64-bit seed. {@code random()} is one
 *     32-bit output; {@code random64()} is two, the first being the high half.</li>
 * <li>A uniform value of a type with {@code d} mantissa digits (24 float, 53 double, 11 half) is
 *     {@code (bits & (2^d - 1)) * 2^-d}, from {@code random64()} for double and {@code random()}
 *     otherwise.</li>
 * <li>{@code randn} of 16 or more elements fills the tensor with uniforms, then turns each block of 16
 *     into normals by Box-Muller: u1 = 1 - x[j], u2 = x[j + 8], r = sqrt(-2 ln u1),
 *     x[j] = r cos(2 pi u2), x[j + 8] = r sin(2 pi u2). When 16 does not divide the size, the last 16
 *     elements are refilled with fresh uniforms and transformed again. For float32 this is torch's
 *     AVX2 kernel (float 2 pi times u2, its own log and sincos, see {@link Avx2Math}); the goldens
 *     come from it. float64 and float16 use the portable kernel (theta computed in double).</li>
 * <li>{@code randn} of fewer than 16 elements draws one double normal per element (Box-Muller on two
 *     53-bit uniforms; the sine half is cached in the generator and returned by the next such draw)
 *     and rounds it to the tensor's dtype.</li>
 * </ul>
 * Not thread-safe: one generator belongs to one pipeline call.
 */
public final class TorchGenerator {
    /** torch switches from the per-element path to the 16-wide Box-Muller fill at this size. */
    private static final int VECTOR_MIN = 16;
    private static final float TWO_PI_F = (float) (2.0 * Math.PI);

    private final long seed;
    private final Mt19937 engine;
    private boolean hasCachedNormal;
    private double cachedNormal;

    public TorchGenerator(long seed) {
        this.seed = seed;
        this.engine = new Mt19937((int) seed);
    }

    /** The seed given to the constructor (as {@code Generator.initial_seed()} reports it). */
    public long seed() {
        return seed;
    }

    /** {@code torch.randn(shape, generator=g, dtype=torch.float32)}. */
    public float[] randn(long... shape) {
        int n = numel(shape);
        float[] x = new float[n];
        if (n < VECTOR_MIN) {
            for (int i = 0; i < n; i++) x[i] = (float) nextDoubleNormal();
            return x;
        }
        for (int i = 0; i < n; i++) x[i] = uniformFloat();
        for (int j = 0; j + VECTOR_MIN <= n; j += VECTOR_MIN) boxMullerFloat(x, j);
        if (n % VECTOR_MIN != 0) {
            int tail = n - VECTOR_MIN;
            for (int i = tail; i < n; i++) x[i] = uniformFloat();
            boxMullerFloat(x, tail);
        }
        return x;
    }

    /** {@link #randn(long...)} as a tensor. */
    public HostTensor randn(Shape shape) {
        return new HostTensor(shape, randn(shape.dims()));
    }

    /** {@code torch.randn(shape, generator=g, dtype=torch.float64)}. */
    public double[] randnDouble(long... shape) {
        int n = numel(shape);
        double[] x = new double[n];
        if (n < VECTOR_MIN) {
            for (int i = 0; i < n; i++) x[i] = nextDoubleNormal();
            return x;
        }
        for (int i = 0; i < n; i++) x[i] = uniformDouble();
        for (int j = 0; j + VECTOR_MIN <= n; j += VECTOR_MIN) boxMullerDouble(x, j);
        if (n % VECTOR_MIN != 0) {
            int tail = n - VECTOR_MIN;
            for (int i = tail; i < n; i++) x[i] = uniformDouble();
            boxMullerDouble(x, tail);
        }
        return x;
    }

    /**
     * {@code torch.randn(shape, generator=g, dtype=torch.float16)} as IEEE binary16 bit patterns.
     * torch draws 11-bit uniforms and runs the Box-Muller fill in half arithmetic: every half-typed
     * intermediate is rounded to half, the transcendental functions run in float.
     */
    public short[] randnHalf(long... shape) {
        int n = numel(shape);
        short[] x = new short[n];
        if (n < VECTOR_MIN) {
            for (int i = 0; i < n; i++) x[i] = Float.floatToFloat16((float) nextDoubleNormal());
            return x;
        }
        for (int i = 0; i < n; i++) x[i] = uniformHalf();
        for (int j = 0; j + VECTOR_MIN <= n; j += VECTOR_MIN) boxMullerHalf(x, j);
        if (n % VECTOR_MIN != 0) {
            int tail = n - VECTOR_MIN;
            for (int i = tail; i < n; i++) x[i] = uniformHalf();
            boxMullerHalf(x, tail);
        }
        return x;
    }

    /** {@code torch.rand(shape, generator=g, dtype=torch.float32)}: uniform in [0, 1). */
    public float[] rand(long... shape) {
        float[] x = new float[numel(shape)];
        for (int i = 0; i < x.length; i++) x[i] = uniformFloat();
        return x;
    }

    /** {@code torch.rand(shape, generator=g, dtype=torch.float64)}: uniform in [0, 1). */
    public double[] randDouble(long... shape) {
        double[] x = new double[numel(shape)];
        for (int i = 0; i < x.length; i++) x[i] = uniformDouble();
        return x;
    }

    // ---- uniforms

    private float uniformFloat() {
        return (engine.nextInt() & ((1 << 24) - 1)) * 0x1p-24f;
    }

    private short uniformHalf() {
        return Float.floatToFloat16((engine.nextInt() & ((1 << 11) - 1)) * 0x1p-11f);
    }

    private double uniformDouble() {
        long hi = engine.nextUnsigned();
        long lo = engine.nextUnsigned();
        return (((hi << 32) | lo) & ((1L << 53) - 1)) * 0x1p-53;
    }

    // ---- normals

    /** torch's {@code at::normal_distribution<double>} with mean 0, std 1. */
    private double nextDoubleNormal() {
        if (hasCachedNormal) {
            hasCachedNormal = false;
            return cachedNormal;
        }
        double u1 = uniformDouble();
        double u2 = uniformDouble();
        double r = Math.sqrt(-2.0 * Math.log(1.0 - u2));
        double theta = 2.0 * Math.PI * u1;
        cachedNormal = r * Math.sin(theta);
        hasCachedNormal = true;
        return r * Math.cos(theta);
    }

    /** Box-Muller on x[j .. j+16) in float, as torch's AVX2 fp32 kernel does. */
    private static void boxMullerFloat(float[] x, int j) {
        float[] sc = new float[2];
        for (int i = j; i < j + 8; i++) {
            float u1 = 1f - x[i];
            float u2 = x[i + 8];
            float radius = (float) Math.sqrt(-2f * Avx2Math.log(u1));
            float theta = TWO_PI_F * u2;
            Avx2Math.sincos(theta, sc);
            x[i] = radius * sc[1];
            x[i + 8] = radius * sc[0];
        }
    }

    private static void boxMullerHalf(short[] x, int j) {
        for (int i = j; i < j + 8; i++) {
            float u1 = half(1f - Float.float16ToFloat(x[i]));
            float u2 = Float.float16ToFloat(x[i + 8]);
            float radius = half((float) Math.sqrt((float) (-2f * (float) Math.log(u1))));
            float theta = half((float) (2.0 * Math.PI * u2));
            x[i] = Float.floatToFloat16(radius * (float) Math.cos(theta));
            x[i + 8] = Float.floatToFloat16(radius * (float) Math.sin(theta));
        }
    }

    private static float half(float v) {
        return Float.float16ToFloat(Float.floatToFloat16(v));
    }

    private static void boxMullerDouble(double[] x, int j) {
        for (int i = j; i < j + 8; i++) {
            double u1 = 1.0 - x[i];
            double u2 = x[i + 8];
            double radius = Math.sqrt(-2.0 * Math.log(u1));
            double theta = 2.0 * Math.PI * u2;
            x[i] = radius * Math.cos(theta);
            x[i + 8] = radius * Math.sin(theta);
        }
    }

    private static int numel(long... shape) {
        return Math.toIntExact(Shape.of(shape).numel());
    }
}
