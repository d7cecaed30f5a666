package dev.turbojet.ops.cpu;

import dev.turbojet.ops.Act;

/** Scalar activation functions, in fp32 as PyTorch computes them (intermediates in double where free). */
final class Pointwise {
    private static final double INV_SQRT2 = 0.7071067811865476;

    private Pointwise() {
    }

    static float apply(Act act, float x) {
        return switch (act) {
            case NONE -> x;
            case SILU -> silu(x);
            case GELU -> gelu(x);
            case QUICK_GELU -> quickGelu(x);
            case RELU -> relu(x);
            case TANH -> (float) Math.tanh(x);
        };
    }

    /** x * sigmoid(x) */
    static float silu(float x) {
        return (float) (x / (1.0 + Math.exp(-x)));
    }

    /** 0.5 x (1 + erf(x / sqrt 2)) */
    static float gelu(float x) {
        double z = x * INV_SQRT2;
        if (z >= Erf.TABLE_END) return x;                              // 1 + erf(z) = 2 to 1e-10
        if (z <= -Erf.TABLE_END) return (float) (0.5 * x * Erf.erfc(-z)); // the tail, relatively accurate
        return (float) (0.5 * x * (1.0 + Erf.fast(z)));
    }

    /** max(x, 0); NaN stays NaN as in torch.relu */
    static float relu(float x) {
        return x < 0f ? 0f : x;
    }

    /** x * sigmoid(1.702 x) */
    static float quickGelu(float x) {
        return (float) (x / (1.0 + Math.exp(-1.702 * x)));
    }
}
