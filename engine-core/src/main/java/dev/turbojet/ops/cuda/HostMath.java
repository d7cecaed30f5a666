package dev.turbojet.ops.cuda;

/** Small fp32 computations the CUDA backend does on the host, with the same formulas as the CPU backend. */
final class HostMath {
    private HostMath() {}

    /** diffusers get_timestep_embedding in fp32: [sin, cos] halves, or [cos, sin] when flipped; odd dims end with a zero. */
    static float[] timestepEmbedding(float[] t, int dim, boolean flipSinToCos, float downscaleFreqShift, float maxPeriod) {
        int half = dim / 2;
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
