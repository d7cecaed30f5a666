package dev.turbojet.taesd;

import dev.turbojet.io.SafetensorsFile;
import dev.turbojet.io.TensorSource;
import dev.turbojet.nn.Weights;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Tensor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * taesd.py {@code Encoder(latent_channels)}: image in [0, 1] -> latents in the UNet's space, 8x
 * smaller (deterministic: no distribution, no scaling factor). The Sequential, by index
 * (weights {@code N.*}; "down" is a bias-free 3x3 conv with stride 2 and symmetric padding 1):
 * <pre>
 *  0 conv(image, C)    1 Block
 *  2 down   3-5 Block x3
 *  6 down   7-9 Block x3
 * 10 down  11-13 Block x3
 * 14 conv(C, latent)
 * </pre>
 * Each layer's output is marked as {@link #layerPath}: its index under {@code path}, the scope the
 * encoder was loaded from ("" for a taesd file, whose weights are {@code N.*}).
 */
public record TaesdEncoder(String path, TaesdConfig config, List<TaesdLayer> layers) {
    /** Length of the Sequential. */
    public static final int LAYERS = 2 + TaesdConfig.STAGES * (1 + TaesdConfig.BLOCKS_PER_STAGE) + 1;

    public TaesdEncoder {
        layers = List.copyOf(layers);
        if (layers.size() != LAYERS) throw new IllegalArgumentException("a TAESD encoder has " + LAYERS + " layers, not " + layers.size());
    }

    /** A {@code taesd*_encoder.safetensors} file; it is closed once {@code ops} has bound the weights. */
    public static TaesdEncoder load(Path file, Ops ops) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            return load(f, ops);
        }
    }

    /** Binds every tensor of {@code src}; missing, misshapen and unexpected ones fail together in one report. */
    public static TaesdEncoder load(TensorSource src, Ops ops) {
        Weights w = Weights.of(src, ops);
        TaesdEncoder encoder = load(w, TaesdConfig.ofEncoder(src));
        w.report().check();
        return encoder;
    }

    /** Builds the Sequential of {@code cfg} from the weights under {@code w} (taesd.py's key names). */
    public static TaesdEncoder load(Weights w, TaesdConfig cfg) {
        int c = cfg.channels();
        List<TaesdLayer> layers = new ArrayList<>();
        layers.add(TaesdLayer.Conv.load(w.at(layers.size()), cfg.imageChannels(), c, true, 1));
        layers.add(TaesdBlock.load(w.at(layers.size()), c, c));
        for (int stage = 0; stage < TaesdConfig.STAGES; stage++) {
            layers.add(TaesdLayer.Conv.load(w.at(layers.size()), c, c, false, 2));
            for (int b = 0; b < TaesdConfig.BLOCKS_PER_STAGE; b++) layers.add(TaesdBlock.load(w.at(layers.size()), c, c));
        }
        layers.add(TaesdLayer.Conv.load(w.at(layers.size()), c, cfg.latentChannels(), true, 1));
        return new TaesdEncoder(w.path(), cfg, layers);
    }

    /** image [N, image, H, W] in [0, 1] -> latents [N, latent, H/8, W/8] (rounded up for sizes not divisible by 8). */
    public Tensor encode(Ops ops, Tensor image01) {
        Tensor h = image01;
        for (int i = 0; i < layers.size(); i++) {
            h = ops.mark(layerPath(i), layers.get(i).forward(ops, h));
        }
        return h;
    }

    /** The path layer {@code i}'s output is marked under: the checkpoint path of its weights ("3" for 3.conv.0.weight). */
    public String layerPath(int i) {
        return Weights.join(path, Integer.toString(i));
    }

    /** TAESD.scale_latents: clamp(x / 6 + 0.5, 0, 1), latents mapped to [0, 1] for 8-bit storage. */
    public static HostTensor scaleLatents(HostTensor latents) {
        float[] x = latents.data();
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) out[i] = Math.clamp(x[i] / 6f + 0.5f, 0f, 1f);
        return new HostTensor(latents.shape(), out);
    }

    /** TAESD.unscale_latents: (x - 0.5) * 6, the inverse of {@link #scaleLatents} inside (-3, 3). */
    public static HostTensor unscaleLatents(HostTensor scaled) {
        float[] x = scaled.data();
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) out[i] = (x[i] - 0.5f) * 6f;
        return new HostTensor(scaled.shape(), out);
    }
}
