package dev.turbojet.pipeline;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Wall-clock time of each stage of one generation (for the whole batch).
 *
 * @param encode    tokenizers and both text encoders
 * @param vaeEncode img2img: preprocessing and encoding the init image; zero for text-to-image
 * @param unetSteps each denoising step (UNet plus scheduler step)
 * @param decode    VAE decode and conversion to 8-bit
 */
public record StageTimings(Duration encode, Duration vaeEncode, List<Duration> unetSteps, Duration decode) {
    public StageTimings {
        unetSteps = List.copyOf(unetSteps);
    }

    public Duration denoise() {
        return unetSteps.stream().reduce(Duration.ZERO, Duration::plus);
    }

    public Duration total() {
        return encode.plus(vaeEncode).plus(denoise()).plus(decode);
    }

    /** "text encoders 12 ms, unet 1 step 340 ms (340 ms/step), vae decode 95 ms, total 447 ms". */
    public String summary() {
        StringBuilder s = new StringBuilder("text encoders ").append(ms(encode));
        if (!vaeEncode.isZero()) s.append(", vae encode ").append(ms(vaeEncode));
        int n = unetSteps.size();
        s.append(", unet ").append(n).append(n == 1 ? " step " : " steps ").append(ms(denoise()));
        if (n > 1) s.append(" (").append(ms(denoise().dividedBy(n))).append("/step)");
        s.append(", vae decode ").append(ms(decode)).append(", total ").append(ms(total()));
        return s.toString();
    }

    static String ms(Duration d) {
        double ms = d.toNanos() / 1e6;
        return ms >= 100 ? String.format(Locale.ROOT, "%.0f ms", ms) : String.format(Locale.ROOT, "%.1f ms", ms);
    }
}
