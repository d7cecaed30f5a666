package dev.turbojet.pipeline;

import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;

/** The few host-side tensor steps of a generation: guidance, batch repeats, scaling, clamping, rows. */
final class HostMath {
    private HostMath() {
    }

    /** uncond + g (cond - uncond) over eps [2B, ...] = [uncond; cond] -> [B, ...]. */
    static HostTensor guide(HostTensor eps, float g) {
        long[] d = eps.shape().dims();
        int half = eps.data().length / 2;
        d[0] /= 2;
        float[] e = eps.data();
        float[] out = new float[half];
        for (int i = 0; i < half; i++) out[i] = e[i] + g * (e[half + i] - e[i]);
        return new HostTensor(Shape.of(d), out);
    }

    static HostTensor repeatBatch(HostTensor one, int batch) {
        long[] d = one.shape().dims();
        int n = one.data().length;
        float[] out = new float[n * batch];
        for (int b = 0; b < batch; b++) System.arraycopy(one.data(), 0, out, b * n, n);
        d[0] = batch;
        return new HostTensor(Shape.of(d), out);
    }

    static HostTensor scale(HostTensor x, float s) {
        float[] in = x.data();
        float[] out = new float[in.length];
        for (int i = 0; i < in.length; i++) out[i] = in[i] * s;
        return new HostTensor(x.shape(), out);
    }

    static HostTensor clampUnit(HostTensor x) {
        float[] in = x.data();
        float[] out = new float[in.length];
        for (int i = 0; i < in.length; i++) out[i] = Math.clamp(in[i], 0f, 1f);
        return new HostTensor(x.shape(), out);
    }

    static HostTensor divide(HostTensor x, float s) {
        float[] in = x.data();
        float[] out = new float[in.length];
        for (int i = 0; i < in.length; i++) out[i] = in[i] / s;
        return new HostTensor(x.shape(), out);
    }

    /** Row {@code b} of x, keeping a batch dim of 1. */
    static HostTensor row(HostTensor x, int b) {
        long[] d = x.shape().dims();
        d[0] = 1;
        return x.get(b).reshape(Shape.of(d));
    }
}
