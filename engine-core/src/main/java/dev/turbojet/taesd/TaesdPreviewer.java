package dev.turbojet.taesd;

import dev.turbojet.image.RgbImage;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.HostTensor;

import java.util.List;
import java.util.Objects;

/** Previews by TAESD decoding on {@code ops} (the decoder's weights must be bound by the same backend). */
public record TaesdPreviewer(TaesdDecoder decoder, Ops ops) implements LatentPreviewer {
    public TaesdPreviewer {
        Objects.requireNonNull(decoder, "decoder");
        Objects.requireNonNull(ops, "ops");
    }

    @Override
    public List<RgbImage> previewAll(HostTensor latents) {
        return decoder.decodeToImages(ops, ops.upload(latents));
    }

    @Override
    public String describe() {
        return "taesd decoder (" + decoder.config().latentChannels() + " latent channels) on " + ops.describe();
    }
}
