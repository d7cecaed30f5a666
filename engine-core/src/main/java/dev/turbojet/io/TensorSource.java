package dev.turbojet.io;

import java.util.Optional;
import java.util.SortedSet;

/**
 * Named tensors from somewhere: a safetensors file, a sharded set of them, a single-file
 * checkpoint under a name mapping, or seeded synthetic weights. Names are diffusers'.
 */
public interface TensorSource {
    /** Every tensor name, sorted. */
    SortedSet<String> names();

    /** The tensor, or empty when this source has no such name. */
    Optional<TensorView> find(String name);

    /** Where the tensors come from, for messages ("tiny-sdxl/unet/diffusion_pytorch_model.safetensors"). */
    String description();

    /**
     * What to tell the user when tensors have other shapes than the model asks for, where this source
     * knows better than the list of shapes (a single file read with configs it was not made for).
     */
    default Optional<String> shapeMismatchHint() {
        return Optional.empty();
    }
}
