package dev.turbojet.pipeline;

import dev.turbojet.image.GenerationInfo;
import dev.turbojet.image.PngWriter;
import dev.turbojet.image.RgbImage;
import dev.turbojet.tensor.HostTensor;

import java.io.IOException;
import java.nio.file.Path;

/**
 * One image of a generation.
 *
 * @param image     8-bit RGB, {@code round(x * 255)} of {@code pixels}
 * @param pixels    the decoded image in [0, 1], [1, 3, H, W] (diffusers' output_type="pt")
 * @param latents   the final latents [1, 4, H/8, W/8], before the division by scaling_factor
 * @param info      prompt, negative prompt, seed, steps, size, guidance, model: what the PNG records
 * @param timings   the stages of the generation this image came from (shared by its batch)
 */
public record GeneratedImage(RgbImage image, HostTensor pixels, HostTensor latents, GenerationInfo info,
                             StageTimings timings) {

    public long seed() {
        return info.seed();
    }

    public String prompt() {
        return info.prompt();
    }

    /** Writes the image as a PNG whose text chunks hold {@link #info()}. */
    public void writePng(Path file) throws IOException {
        PngWriter.write(image, info.toText(), file);
    }
}
