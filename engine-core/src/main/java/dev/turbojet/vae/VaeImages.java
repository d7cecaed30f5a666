package dev.turbojet.vae;

import dev.turbojet.tensor.HostTensor;

/** diffusers VaeImageProcessor's postprocess (no normalisation tricks): decoded [-1, 1] to [0, 1] and to 8-bit. */
public final class VaeImages {
    private VaeImages() {
    }

    /** postprocess(decoded, "pt"): (x / 2 + 0.5).clamp(0, 1), same NCHW shape. */
    public static HostTensor toUnitRange(HostTensor decoded) {
        float[] x = decoded.data();
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) out[i] = Math.clamp(x[i] / 2f + 0.5f, 0f, 1f);
        return new HostTensor(decoded.shape(), out);
    }

    /**
     * postprocess(..., "pil") as an array: image [N, C, H, W] in [0, 1] -> NHWC bytes, each
     * numpy's round-half-even of the fp32 product x * 255 (unsigned: read with {@code & 0xff}).
     */
    public static byte[] toUint8Nhwc(HostTensor image) {
        long[] d = image.shape().dims();
        if (d.length != 4) throw new IllegalArgumentException("image " + image.shape() + " is not [N, C, H, W]");
        int n = (int) d[0], c = (int) d[1], h = (int) d[2], w = (int) d[3];
        float[] x = image.data();
        byte[] out = new byte[x.length];
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
                for (int y = 0; y < h; y++)
                    for (int xx = 0; xx < w; xx++) {
                        float v = x[((b * c + ch) * h + y) * w + xx] * 255f;
                        out[((b * h + y) * w + xx) * c + ch] = (byte) (int) Math.rint(Math.clamp(v, 0f, 255f));
                    }
        return out;
    }
}
