package dev.turbojet.profile;

import dev.turbojet.clip.ClipTextConfig;
import dev.turbojet.clip.TextEncoders;
import dev.turbojet.ops.CountingOps;
import dev.turbojet.ops.Ops;
import dev.turbojet.schedule.EulerAncestral;
import dev.turbojet.schedule.Schedule;
import dev.turbojet.schedule.SchedulerConfig;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;
import dev.turbojet.tensor.Tensor;
import dev.turbojet.unet.UNet2DCondition;
import dev.turbojet.unet.UNetConfig;
import dev.turbojet.vae.VaeConfig;
import dev.turbojet.vae.VaeDecoder;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * What each benchmark times, written once: the benchmarks run these on a real backend, and
 * {@link #count} runs the same code on {@link CountingOps} with shape-only models to get the
 * FLOPs and bytes of one operation. Inputs are seeded uniform noise (never zeros), batch 1, 77 tokens.
 */
public final class Workloads {
    /** Prompt length of both CLIP tokenizers. */
    public static final int TOKENS = 77;
    private static final int BOS = 49406, EOS = 49407;

    private Workloads() {
    }

    /** One UNet forward at a latent of latent x latent (8x as many pixels). */
    public record UNetStep(UNet2DCondition unet, Tensor sample, Tensor context, Tensor pooled, HostTensor timeIds) {
        public static UNetStep create(Ops ops, UNet2DCondition unet, int latent) {
            UNetConfig c = unet.config();
            int px = 8 * latent;
            return new UNetStep(unet,
                    ops.upload(noise(Shape.of(1, c.inChannels(), latent, latent), 1)),
                    ops.upload(noise(Shape.of(1, TOKENS, c.crossAttentionDim()), 2)),
                    ops.upload(noise(Shape.of(1, c.pooledDim()), 3)),
                    HostTensor.of(Shape.of(1, UNetConfig.TIME_IDS), px, px, 0, 0, px, px));
        }

        public Tensor run(Ops ops) {
            return unet.forward(ops, sample, 999f, context, pooled, timeIds);
        }

        /** The step's conditioning vector ({@link UNet2DCondition#embed}): run's first part. */
        public Tensor embed(Ops ops) {
            return unet.embed(ops, 999f, pooled, timeIds);
        }
    }

    /** Both text encoders on one 77-token prompt, as the pipeline calls them (encoder 1 skips its last layer). */
    public record PromptEncode(TextEncoders encoders, int[][] ids1, int[][] ids2) {
        public static PromptEncode create(TextEncoders encoders) {
            return new PromptEncode(encoders, new int[][]{promptIds(BOS, EOS, EOS)}, new int[][]{promptIds(BOS, EOS, 0)});
        }

        public TextEncoders.PromptEmbeds run(Ops ops) {
            return encoders.encode(ops, ids1, ids2);
        }
    }

    /** The VAE decoder on a latent x latent latent. */
    public record Decode(VaeDecoder decoder, Tensor latents) {
        public static Decode create(Ops ops, VaeDecoder decoder, VaeConfig cfg, int latent) {
            return new Decode(decoder, ops.upload(noise(Shape.of(1, cfg.latentChannels(), latent, latent), 4)));
        }

        public Tensor run(Ops ops) {
            return decoder.decode(ops, latents);
        }
    }

    /**
     * Text to decoded image as SDXL Turbo runs it: both encoders, {@code steps} UNet passes with
     * Euler-ancestral steps (trailing spacing), then the VAE decoder on latents / scaling_factor.
     * Tokenizing is left out (no vocabulary ships in the jar; it takes microseconds).
     */
    public record Generation(PromptEncode prompt, UNet2DCondition unet, VaeDecoder decoder, VaeConfig vae,
                             Schedule schedule, int latent) {
        public static Generation create(TextEncoders encoders, UNet2DCondition unet, VaeDecoder decoder, VaeConfig vae,
                                        int latent, int steps) {
            Schedule s = new EulerAncestral(SchedulerConfig.sdxlTurbo()).schedule(steps);
            return new Generation(PromptEncode.create(encoders), unet, decoder, vae, s, latent);
        }

        /** The decoded image [1, 3, 8 latent, 8 latent] in about [-1, 1]. */
        public HostTensor run(Ops ops) {
            TextEncoders.PromptEmbeds embeds = prompt.run(ops);
            UNetConfig c = unet.config();
            int px = 8 * latent;
            HostTensor timeIds = HostTensor.of(Shape.of(1, UNetConfig.TIME_IDS), px, px, 0, 0, px, px);
            Shape latentShape = Shape.of(1, c.inChannels(), latent, latent);
            HostTensor x = scale(noise(latentShape, 5), schedule.initNoiseSigma());
            for (int i = 0; i < schedule.steps(); i++) {
                Tensor in = ops.upload(schedule.scaleModelInput(x, i));
                HostTensor eps = ops.download(unet.forward(ops, in, schedule.timestep(i), embeds.promptEmbeds(),
                        embeds.pooledPromptEmbeds(), timeIds));
                x = schedule.step(i, eps, x, noise(latentShape, 6 + i)).prevSample();
            }
            Tensor z = ops.upload(scale(x, 1f / vae.scalingFactor()));
            return ops.download(decoder.decode(ops, z));
        }
    }

    /** The FLOPs and bytes of one UNet forward, counted on shapes. */
    public static CountingOps countUNet(ModelSize size, int latent, int elementBytes) {
        CountingOps ops = new CountingOps(elementBytes);
        UNetStep.create(ops, SyntheticModels.unetShapesOnly(size.unet()), latent).run(ops);
        return ops;
    }

    public static CountingOps countTextEncoders(ModelSize size, int elementBytes) {
        CountingOps ops = new CountingOps(elementBytes);
        PromptEncode.create(SyntheticModels.textEncodersShapesOnly(size.textEncoder(), size.textEncoder2())).run(ops);
        return ops;
    }

    public static CountingOps countVaeDecode(ModelSize size, int latent, int elementBytes) {
        CountingOps ops = new CountingOps(elementBytes);
        VaeConfig cfg = size.vae();
        Decode.create(ops, SyntheticModels.vaeDecoderShapesOnly(cfg), cfg, latent).run(ops);
        return ops;
    }

    public static CountingOps countGeneration(ModelSize size, int latent, int steps, int elementBytes) {
        CountingOps ops = new CountingOps(elementBytes);
        ClipTextConfig c1 = size.textEncoder(), c2 = size.textEncoder2();
        VaeConfig vae = size.vae();
        Generation.create(SyntheticModels.textEncodersShapesOnly(c1, c2), SyntheticModels.unetShapesOnly(size.unet()),
                SyntheticModels.vaeDecoderShapesOnly(vae), vae, latent, steps).run(ops);
        return ops;
    }

    /** Seeded uniform noise with zero mean and unit variance. */
    public static HostTensor noise(Shape shape, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] data = new float[Math.toIntExact(shape.numel())];
        double a = Math.sqrt(3);
        for (int i = 0; i < data.length; i++) data[i] = (float) (a * (2 * rng.nextDouble() - 1));
        return new HostTensor(shape, data);
    }

    private static HostTensor scale(HostTensor x, float s) {
        float[] out = x.data().clone();
        for (int i = 0; i < out.length; i++) out[i] *= s;
        return new HostTensor(x.shape(), out);
    }

    /** BOS, a dozen ordinary word ids, EOS, then padding to {@value #TOKENS}. */
    private static int[] promptIds(int bos, int eos, int pad) {
        int[] ids = new int[TOKENS];
        Arrays.fill(ids, pad);
        ids[0] = bos;
        int[] words = {320, 1125, 539, 320, 1929, 9528, 530, 518, 2867, 267, 2062, 1215};
        System.arraycopy(words, 0, ids, 1, words.length);
        ids[words.length + 1] = eos;
        return ids;
    }
}
