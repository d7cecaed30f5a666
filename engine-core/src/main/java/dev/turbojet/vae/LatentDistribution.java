package dev.turbojet.vae;

import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;

/**
 * diffusers DiagonalGaussianDistribution over the VAE's latents: mean and log-variance, the
 * log-variance clamped to [-30, 20] as diffusers does; std = exp(0.5 logvar).
 *
 * @param mean   [N, latent, h, w]
 * @param logvar [N, latent, h, w], clamped
 */
public record LatentDistribution(HostTensor mean, HostTensor logvar) {

    /** Splits quant_conv's moments [N, 2 x latent, h, w] into mean and clamped logvar. */
    public static LatentDistribution of(HostTensor moments, int latentChannels) {
        long[] d = moments.shape().dims();
        if (d.length != 4 || d[1] != 2L * latentChannels) {
            throw new IllegalArgumentException("moments " + moments.shape() + " are not [N, " + 2 * latentChannels + ", h, w]");
        }
        int n = (int) d[0], plane = Math.toIntExact(d[2] * d[3]), half = latentChannels * plane;
        Shape shape = Shape.of(d[0], latentChannels, d[2], d[3]);
        float[] mean = new float[n * half], logvar = new float[n * half];
        float[] m = moments.data();
        for (int b = 0; b < n; b++) {
            System.arraycopy(m, 2 * b * half, mean, b * half, half);
            for (int i = 0; i < half; i++) logvar[b * half + i] = Math.clamp(m[2 * b * half + half + i], -30f, 20f);
        }
        return new LatentDistribution(new HostTensor(shape, mean), new HostTensor(shape, logvar));
    }

    /** exp(0.5 * logvar) */
    public HostTensor std() {
        float[] lv = logvar.data();
        float[] out = new float[lv.length];
        for (int i = 0; i < lv.length; i++) out[i] = (float) Math.exp(0.5f * lv[i]);
        return new HostTensor(mean.shape(), out);
    }

    /** mean + std * noise, with noise ~ N(0, 1) of the mean's shape (latent_dist.sample(generator)). */
    public HostTensor sample(HostTensor noise) {
        if (!noise.shape().equals(mean.shape())) {
            throw new IllegalArgumentException("noise " + noise.shape() + " does not match the latents " + mean.shape());
        }
        float[] m = mean.data(), s = std().data(), z = noise.data();
        float[] out = new float[m.length];
        for (int i = 0; i < m.length; i++) out[i] = m[i] + s[i] * z[i];
        return new HostTensor(mean.shape(), out);
    }

    /** latent_dist.mode(): the mean. */
    public HostTensor mode() {
        return mean;
    }
}
