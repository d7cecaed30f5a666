package dev.turbojet.pipeline;

import dev.turbojet.image.RgbImage;
import dev.turbojet.tensor.HostTensor;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One call of the pipeline: what diffusers' {@code StableDiffusionXLPipeline.__call__} (and, with an
 * init image, {@code StableDiffusionXLImg2ImgPipeline.__call__}) takes, validated on construction.
 *
 * @param prompts         one image per prompt, in order (batch 1..{@value #MAX_BATCH})
 * @param negativePrompts empty, one (used for every prompt) or one per prompt; used only when
 *                        {@code guidanceScale > 1}
 * @param guidanceScale   0 (SDXL Turbo): no unconditional pass; {@code > 1}: classifier-free guidance
 *                        {@code uncond + g (cond - uncond)}; values in (0, 1] behave like 0, as in diffusers
 * @param steps           scheduler steps, 1..1000 (img2img takes the last {@code steps x strength} of them, at least one)
 * @param width           pixels, a multiple of 8 in 8..{@value #MAX_SIDE}
 * @param height          pixels, a multiple of 8 in 8..{@value #MAX_SIDE}
 * @param seed            seed of the torch CPU generator every random draw comes from
 * @param initialNoise    the initial noise [B, 4, H/8, W/8] instead of the generator's first draw
 *                        (text-to-image only; the step noise still comes from the seed)
 * @param initImage       img2img source image (resized to cover width x height, then centre-cropped)
 * @param strength        img2img strength in (0, 1]; ignored without an init image
 * @param listener        progress and intermediate tensors, {@link GenerationListener#NONE} for none
 */
public record GenerationRequest(List<String> prompts, List<String> negativePrompts, double guidanceScale, int steps,
                                int width, int height, long seed, Optional<HostTensor> initialNoise,
                                Optional<RgbImage> initImage, double strength, GenerationListener listener) {
    public static final int MAX_SIDE = 4096;
    public static final int MAX_BATCH = 64;
    public static final int MAX_STEPS = 1000;

    public GenerationRequest {
        prompts = List.copyOf(Objects.requireNonNull(prompts, "prompts"));
        negativePrompts = List.copyOf(Objects.requireNonNull(negativePrompts, "negativePrompts"));
        Objects.requireNonNull(initialNoise, "initialNoise");
        Objects.requireNonNull(initImage, "initImage");
        Objects.requireNonNull(listener, "listener");
        if (prompts.isEmpty()) throw new IllegalArgumentException("no prompt: a request needs at least one prompt");
        if (prompts.size() > MAX_BATCH) {
            throw new IllegalArgumentException("batch of " + prompts.size() + " prompts exceeds " + MAX_BATCH);
        }
        if (negativePrompts.size() > 1 && negativePrompts.size() != prompts.size()) {
            throw new IllegalArgumentException(negativePrompts.size() + " negative prompts for " + prompts.size()
                    + " prompts: give none, one, or one per prompt");
        }
        if (!(guidanceScale >= 0) || Double.isInfinite(guidanceScale)) {
            throw new IllegalArgumentException("guidance scale must be a finite number >= 0, got " + guidanceScale);
        }
        if (steps < 1 || steps > MAX_STEPS) {
            throw new IllegalArgumentException("steps must be in 1.." + MAX_STEPS + ", got " + steps);
        }
        checkSide("width", width);
        checkSide("height", height);
        if (initImage.isPresent() && !(strength > 0 && strength <= 1)) {
            throw new IllegalArgumentException("img2img strength must be in (0, 1], got " + strength);
        }
        if (initImage.isPresent() && initialNoise.isPresent()) {
            throw new IllegalArgumentException("initial noise and an init image exclude each other: img2img noises the encoded image");
        }
        if (initialNoise.isPresent()) {
            long[] want = {prompts.size(), 4, height / 8, width / 8};
            if (!java.util.Arrays.equals(initialNoise.get().shape().dims(), want)) {
                throw new IllegalArgumentException("initial noise " + initialNoise.get().shape() + " must be "
                        + dev.turbojet.tensor.Shape.of(want) + " for " + prompts.size() + " prompt(s) at " + width + "x" + height);
            }
        }
    }

    private static void checkSide(String name, int v) {
        if (v % 8 != 0) {
            throw new IllegalArgumentException(name + " " + v + " is not a multiple of 8 (the VAE downsamples by 8)");
        }
        if (v < 8 || v > MAX_SIDE) throw new IllegalArgumentException(name + " " + v + " is outside 8.." + MAX_SIDE);
    }

    /** Number of images this request makes. */
    public int batch() {
        return prompts.size();
    }

    /** Whether the UNet also runs unconditionally (diffusers' {@code do_classifier_free_guidance}). */
    public boolean classifierFreeGuidance() {
        return guidanceScale > 1;
    }

    /** The negative prompt of image {@code i} ("" when none was given). */
    public String negativePrompt(int i) {
        return negativePrompts.isEmpty() ? "" : negativePrompts.get(negativePrompts.size() == 1 ? 0 : i);
    }

    /** A builder with SDXL Turbo's defaults: 1 step, 512 x 512, guidance 0, a random seed. */
    public static Builder builder(String... prompts) {
        return new Builder(List.of(prompts));
    }

    public static Builder builder(List<String> prompts) {
        return new Builder(prompts);
    }

    /** A builder starting from this request's values. */
    public Builder toBuilder() {
        Builder b = new Builder(prompts);
        b.negativePrompts = negativePrompts;
        b.guidanceScale = guidanceScale;
        b.steps = steps;
        b.width = width;
        b.height = height;
        b.seed = seed;
        b.initialNoise = initialNoise;
        b.initImage = initImage;
        b.strength = strength;
        b.listener = listener;
        return b;
    }

    /** Fluent construction; {@link #build()} validates. */
    public static final class Builder {
        private List<String> prompts;
        private List<String> negativePrompts = List.of();
        private double guidanceScale = 0;
        private int steps = 1;
        private int width = 512;
        private int height = 512;
        private long seed = randomSeed();
        private Optional<HostTensor> initialNoise = Optional.empty();
        private Optional<RgbImage> initImage = Optional.empty();
        private double strength = 0.5;
        private GenerationListener listener = GenerationListener.NONE;

        private Builder(List<String> prompts) {
            this.prompts = prompts;
        }

        public Builder prompts(List<String> prompts) {
            this.prompts = prompts;
            return this;
        }

        public Builder negativePrompt(String negative) {
            this.negativePrompts = List.of(negative);
            return this;
        }

        public Builder negativePrompts(List<String> negatives) {
            this.negativePrompts = negatives;
            return this;
        }

        public Builder guidanceScale(double g) {
            this.guidanceScale = g;
            return this;
        }

        public Builder steps(int steps) {
            this.steps = steps;
            return this;
        }

        public Builder size(int width, int height) {
            this.width = width;
            this.height = height;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder initialNoise(HostTensor noise) {
            this.initialNoise = Optional.of(noise);
            return this;
        }

        /** img2img from {@code image} at {@code strength} in (0, 1]. */
        public Builder initImage(RgbImage image, double strength) {
            this.initImage = Optional.of(image);
            this.strength = strength;
            return this;
        }

        public Builder listener(GenerationListener listener) {
            this.listener = listener;
            return this;
        }

        public GenerationRequest build() {
            return new GenerationRequest(prompts, negativePrompts, guidanceScale, steps, width, height, seed,
                    initialNoise, initImage, strength, listener);
        }
    }

    /** A seed in [0, 2^32), the range most Stable Diffusion tools print and accept. */
    public static long randomSeed() {
        return ThreadLocalRandom.current().nextLong(1L << 32);
    }
}
