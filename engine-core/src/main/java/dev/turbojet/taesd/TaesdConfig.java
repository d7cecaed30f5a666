package dev.turbojet.taesd;

import dev.turbojet.io.CheckpointException;
import dev.turbojet.io.TensorSource;
import dev.turbojet.io.TensorView;

/**
 * The sizes of a TAESD half, read from its checkpoint's shapes (TAESD checkpoints carry no config).
 * The layout itself is taesd.py's {@code Encoder(latent_channels)} / {@code Decoder(latent_channels)}:
 * {@value #STAGES} resolution stages (8x), {@value #BLOCKS_PER_STAGE} blocks per stage, one block at
 * full resolution. That layout is shared by TAESD (SD1/SD2), TAESDXL, TAESD3 and TAEF1, which differ
 * only in {@code latentChannels} (4 or 16) and their weights; the later {@code use_midblock_gn}
 * variant (a GroupNorm mid block) is not supported and fails its weight report as unexpected tensors.
 *
 * @param latentChannels channels of the latents (4 for SD1/SDXL, 16 for SD3/FLUX.1)
 * @param imageChannels  channels of the image (3, RGB)
 * @param channels       width of every hidden layer (64)
 */
public record TaesdConfig(int latentChannels, int imageChannels, int channels) {
    /** Number of 2x resolution changes. */
    public static final int STAGES = 3;
    /** TaesdBlocks after each resolution change (and before the first one in the decoder). */
    public static final int BLOCKS_PER_STAGE = 3;

    public TaesdConfig {
        if (latentChannels < 1 || imageChannels < 1 || channels < 1) {
            throw new IllegalArgumentException("TAESD sizes must be positive: latent " + latentChannels
                    + ", image " + imageChannels + ", channels " + channels);
        }
    }

    /** TAESDXL's sizes. */
    public static TaesdConfig sdxl() {
        return new TaesdConfig(4, 3, 64);
    }

    /** The sizes of the decoder in {@code src}: {@code 1.weight} [channels, latent, 3, 3] and the last conv's output. */
    public static TaesdConfig ofDecoder(TensorSource src) {
        long[] first = convShape(src, "1.weight", "decoder");
        long[] last = convShape(src, TaesdDecoder.LAYERS - 1 + ".weight", "decoder");
        return new TaesdConfig(Math.toIntExact(first[1]), Math.toIntExact(last[0]), Math.toIntExact(first[0]));
    }

    /** The sizes of the encoder in {@code src}: {@code 0.weight} [channels, image, 3, 3] and the last conv's output. */
    public static TaesdConfig ofEncoder(TensorSource src) {
        long[] first = convShape(src, "0.weight", "encoder");
        long[] last = convShape(src, TaesdEncoder.LAYERS - 1 + ".weight", "encoder");
        return new TaesdConfig(Math.toIntExact(last[0]), Math.toIntExact(first[1]), Math.toIntExact(first[0]));
    }

    private static long[] convShape(TensorSource src, String name, String half) {
        TensorView v = src.find(name).orElseThrow(() -> new CheckpointException(src.description()
                + ": not a TAESD " + half + " checkpoint (taesd.py layout): it has no tensor '" + name + "'"));
        long[] d = v.shape().dims();
        if (d.length != 4 || d[2] != 3 || d[3] != 3) {
            throw new CheckpointException(src.description() + ": TAESD " + half + " tensor '" + name + "' is "
                    + v.shape() + ", expected a 3x3 conv weight [out, in, 3, 3]");
        }
        return d;
    }
}
