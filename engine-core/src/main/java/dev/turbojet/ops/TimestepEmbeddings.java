package dev.turbojet.ops;

/**
 * diffusers get_timestep_embedding, computed on the host in fp32: the one formula every backend that
 * does not run it on a device uses (CpuOps always, CudaOps for settings its kernel does not cover).
 */
public final class TimestepEmbeddings {
    private TimestepEmbeddings() {}

    /**
     * t [N] -> row-major [N, dim]: half = dim / 2, freq_i = exp(-ln(maxPeriod) * i / (half - downscaleFreqShift)),
     * args = t * freq, rows [sin, cos] or, flipped, [cos, sin]; an odd dim ends each row with a zero.
     */
    public static float[] compute(float[] t, int dim, boolean flipSinToCos, float downscaleFreqShift, float maxPeriod) {
        int half = dim / 2;
        // diffusers: exponent = -ln(max_period) * arange(half) (float32), / (half - shift), exp, t * freq.
        float negLog = (float) -Math.log(maxPeriod);
        float denom = (float) (half - (double) downscaleFreqShift);
        float[] freq = new float[half];
        for (int i = 0; i < half; i++) freq[i] = (float) Math.exp((i * negLog) / denom);
        float[] out = new float[t.length * dim];
        for (int n = 0; n < t.length; n++) {
            for (int i = 0; i < half; i++) {
                float arg = t[n] * freq[i];
                float sin = (float) Math.sin(arg), cos = (float) Math.cos(arg);
                out[n * dim + i] = flipSinToCos ? cos : sin;
                out[n * dim + half + i] = flipSinToCos ? sin : cos;
            }
        }
        return out;
    }
}
