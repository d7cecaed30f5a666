package dev.turbojet.unet;

import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Tensor;

/**
 * diffusers Timesteps (no weights): the sinusoidal embedding of scalar times, computed in fp32 as
 * diffusers does, max period 10000, scale 1.
 */
public record Timesteps(int dim, boolean flipSinToCos, float freqShift) {
    static final float MAX_PERIOD = 10000f;

    /** t [N] -> [N, dim] */
    public Tensor forward(Ops ops, float[] t) {
        return ops.timestepEmbedding(t, dim, flipSinToCos, freqShift, MAX_PERIOD);
    }
}
