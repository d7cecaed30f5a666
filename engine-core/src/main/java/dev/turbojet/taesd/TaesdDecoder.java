package dev.turbojet.taesd;

import dev.turbojet.image.RgbImage;
import dev.turbojet.io.SafetensorsFile;
import dev.turbojet.io.TensorSource;
import dev.turbojet.nn.Weights;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Tensor;
import dev.turbojet.vae.VaeImages;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * taesd.py {@code Decoder(latent_channels)}: latents in the UNet's space (TAESD's scale factor is 1:
 * no division by the VAE's scaling_factor) -> image in approximately [0, 1], 8x larger. The
 * Sequential, by index (weights {@code N.*}):
 * <pre>
 *  0 SoftClamp   1 conv(latent, C)   2 ReLU
 *  3-5 Block x3        6 Upsample  7 conv(C, C) no bias
 *  8-10 Block x3      11 Upsample 12 conv no bias
 * 13-15 Block x3      16 Upsample 17 conv no bias
 * 18 Block            19 conv(C, image)
 * </pre>
 * Each layer's output is marked as {@link #layerPath}: its index under {@code path}, the scope the
 * decoder was loaded from ("" for a taesd file, whose weights are {@code N.*}).
 */
public record TaesdDecoder(String path, TaesdConfig config, List<TaesdLayer> layers) {
    /** Length of the Sequential. */
    public static final int LAYERS = 3 + TaesdConfig.STAGES * (TaesdConfig.BLOCKS_PER_STAGE + 2) + 2;

    public TaesdDecoder {
        layers = List.copyOf(layers);
        if (layers.size() != LAYERS) throw new IllegalArgumentException("a TAESD decoder has " + LAYERS + " layers, not " + layers.size());
    }

    /** A {@code taesd*_decoder.safetensors} file; it is closed once {@code ops} has bound the weights. */
    public static TaesdDecoder load(Path file, Ops ops) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            return load(f, ops);
        }
    }

    /** Binds every tensor of {@code src}; missing, misshapen and unexpected ones fail together in one report. */
    public static TaesdDecoder load(TensorSource src, Ops ops) {
        Weights w = Weights.of(src, ops);
        TaesdDecoder decoder = load(w, TaesdConfig.ofDecoder(src));
        w.report().check();
        return decoder;
    }

    /** Builds the Sequential of {@code cfg} from the weights under {@code w} (taesd.py's key names). */
    public static TaesdDecoder load(Weights w, TaesdConfig cfg) {
        int c = cfg.channels();
        List<TaesdLayer> layers = new ArrayList<>();
        layers.add(new TaesdLayer.SoftClamp());
        layers.add(TaesdLayer.Conv.load(w.at(layers.size()), cfg.latentChannels(), c, true, 1));
        layers.add(new TaesdLayer.Relu());
        for (int stage = 0; stage < TaesdConfig.STAGES; stage++) {
            for (int b = 0; b < TaesdConfig.BLOCKS_PER_STAGE; b++) layers.add(TaesdBlock.load(w.at(layers.size()), c, c));
            layers.add(new TaesdLayer.Upsample());
            layers.add(TaesdLayer.Conv.load(w.at(layers.size()), c, c, false, 1));
        }
        layers.add(TaesdBlock.load(w.at(layers.size()), c, c));
        layers.add(TaesdLayer.Conv.load(w.at(layers.size()), c, cfg.imageChannels(), true, 1));
        return new TaesdDecoder(w.path(), cfg, layers);
    }

    /** latents [N, latent, h, w] (UNet space) -> image [N, image, 8h, 8w], approximately [0, 1] (not clamped). */
    public Tensor decode(Ops ops, Tensor latents) {
        Tensor h = latents;
        for (int i = 0; i < layers.size(); i++) {
            h = ops.mark(layerPath(i), layers.get(i).forward(ops, h));
        }
        return h;
    }

    /** The path layer {@code i}'s output is marked under: the checkpoint path of its weights ("3" for 3.conv.0.weight). */
    public String layerPath(int i) {
        return Weights.join(path, Integer.toString(i));
    }

    /** decode, downloaded and turned into one 8-bit image per batch entry. */
    public List<RgbImage> decodeToImages(Ops ops, Tensor latents) {
        return toImages(ops.download(decode(ops, latents)));
    }

    /**
     * Decoded [N, 3, H, W] images in approximately [0, 1] -> 8-bit RGB, each value clamp(x, 0, 1) * 255
     * rounded half-even (taesd's own preview does clamp(0, 1) then mul(255).round()).
     */
    public static List<RgbImage> toImages(HostTensor image01) {
        if (image01.shape().rank() != 4 || image01.shape().dim(1) != 3) {
            throw new IllegalArgumentException("decoded image " + image01.shape() + " is not [N, 3, H, W]");
        }
        int n = image01.shape().intDim(0), h = image01.shape().intDim(2), w = image01.shape().intDim(3);
        byte[] nhwc = VaeImages.toUint8Nhwc(image01);                        // clamps x * 255 to [0, 255]
        List<RgbImage> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(RgbImage.fromBatch(nhwc, i, h, w));
        return out;
    }
}
