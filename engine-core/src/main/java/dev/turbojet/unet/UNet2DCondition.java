package dev.turbojet.unet;

import dev.turbojet.io.TensorSource;
import dev.turbojet.nn.Conv2d;
import dev.turbojet.nn.GroupNorm;
import dev.turbojet.nn.Weights;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;
import dev.turbojet.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * diffusers UNet2DConditionModel as SDXL configures it: sinusoidal time embedding plus the
 * "text_time" added embedding (pooled text + six size/crop ids), conv_in, the down path, the
 * cross-attention mid block, the up path fed by the skips, GroupNorm + SiLU, conv_out. Predicts eps.
 * Every block marks its output under its checkpoint path (diffusers' module names), so that a tracing
 * backend can compare them; {@code path} is the scope the model was loaded from ("" for a UNet checkpoint).
 */
public record UNet2DCondition(String path, UNetConfig config, Timesteps timeProj, TimestepEmbedding timeEmbedding,
                              Timesteps addTimeProj, TimestepEmbedding addEmbedding, Conv2d convIn,
                              List<DownBlock> downBlocks, UNetMidBlock2DCrossAttn midBlock, List<UpBlock> upBlocks,
                              GroupNorm convNormOut, Conv2d convOut) {

    public UNet2DCondition {
        downBlocks = List.copyOf(downBlocks);
        upBlocks = List.copyOf(upBlocks);
    }

    /** Binds {@code src} to the model {@code cfg} describes; throws listing every missing, misshapen and unexpected tensor. */
    public static UNet2DCondition load(TensorSource src, Ops ops, UNetConfig cfg) {
        Weights w = Weights.of(src, ops);
        UNet2DCondition unet = load(w, cfg);
        w.report().check();
        return unet;
    }

    /** Builds the tree from {@code w}; problems are collected in {@code w.report()}, not thrown. */
    public static UNet2DCondition load(Weights w, UNetConfig cfg) {
        List<Integer> ch = cfg.blockOutChannels();
        int n = cfg.blocks();
        int temb = cfg.timeEmbedDim();
        int groups = cfg.normNumGroups();
        float eps = cfg.normEps();
        int ctx = cfg.crossAttentionDim();
        boolean linear = cfg.useLinearProjection();

        List<DownBlock> downs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Weights b = w.at("down_blocks").at(i);
            int in = i == 0 ? ch.get(0) : ch.get(i - 1);
            boolean last = i == n - 1;
            downs.add(switch (cfg.downBlockTypes().get(i)) {
                case DOWN_BLOCK_2D -> DownBlock2D.load(b, in, ch.get(i), cfg.layersPerBlock().get(i), temb, groups, eps, !last);
                case CROSS_ATTN_DOWN_BLOCK_2D -> CrossAttnDownBlock2D.load(b, in, ch.get(i), cfg.layersPerBlock().get(i),
                        temb, groups, eps, cfg.attentionHeads().get(i), cfg.transformerLayersPerBlock().get(i), ctx, linear, !last);
            });
        }

        UNetMidBlock2DCrossAttn mid = UNetMidBlock2DCrossAttn.load(w.at("mid_block"), ch.get(n - 1), temb, groups, eps,
                cfg.attentionHeads().get(n - 1), cfg.transformerLayersPerBlock().get(n - 1), ctx, linear);

        // The up path mirrors the down path: up block i works at the width of down block n-1-i.
        List<UpBlock> ups = new ArrayList<>();
        int out = ch.get(n - 1);
        for (int i = 0; i < n; i++) {
            int r = n - 1 - i;
            int prevOut = out;
            out = ch.get(r);
            int skipIn = ch.get(Math.max(r - 1, 0));
            int layers = cfg.layersPerBlock().get(r) + 1;
            boolean last = i == n - 1;
            Weights b = w.at("up_blocks").at(i);
            ups.add(switch (cfg.upBlockTypes().get(i)) {
                case UP_BLOCK_2D -> UpBlock2D.load(b, prevOut, skipIn, out, layers, temb, groups, eps, !last);
                case CROSS_ATTN_UP_BLOCK_2D -> CrossAttnUpBlock2D.load(b, prevOut, skipIn, out, layers, temb, groups, eps,
                        cfg.attentionHeads().get(r), cfg.transformerLayersPerBlock().get(r), ctx, linear, !last);
            });
        }

        return new UNet2DCondition(w.path(), cfg,
                new Timesteps(ch.get(0), cfg.flipSinToCos(), cfg.freqShift()),
                TimestepEmbedding.load(w.at("time_embedding"), ch.get(0), temb),
                new Timesteps(cfg.additionTimeEmbedDim(), cfg.flipSinToCos(), cfg.freqShift()),
                TimestepEmbedding.load(w.at("add_embedding"), cfg.projectionClassEmbeddingsInputDim(), temb),
                Conv2d.load(w.at("conv_in"), cfg.inChannels(), ch.get(0), 3),
                downs, mid, ups,
                GroupNorm.load(w.at("conv_norm_out"), groups, ch.get(0), eps),
                Conv2d.load(w.at("conv_out"), ch.get(0), cfg.outChannels(), 3));
    }

    /** One timestep for the whole batch (diffusers broadcasts a scalar timestep). */
    public Tensor forward(Ops ops, Tensor sample, float timestep, Tensor encoderHiddenStates, Tensor textEmbeds,
                          HostTensor timeIds) {
        float[] t = new float[Math.toIntExact(sample.shape().dim(0))];
        Arrays.fill(t, timestep);
        return forward(ops, sample, t, encoderHiddenStates, textEmbeds, timeIds);
    }

    /**
     * sample [B, in, H, W] (already scaled by the scheduler), timesteps [B], encoderHiddenStates
     * [B, M, cross_attention_dim], textEmbeds [B, pooled], timeIds [B, 6] on the host (original size,
     * crop top-left, target size per row, as the timesteps: no device read per step) -> eps [B, out, H, W].
     */
    public Tensor forward(Ops ops, Tensor sample, float[] timesteps, Tensor encoderHiddenStates, Tensor textEmbeds,
                          HostTensor timeIds) {
        checkInputs(sample, timesteps, encoderHiddenStates, textEmbeds, timeIds);
        return denoise(ops, sample, embed(ops, timesteps, textEmbeds, timeIds), encoderHiddenStates);
    }

    /**
     * The conditioning vector [B, temb] of {@link #forward}: the timestep's sinusoidal embedding through
     * its MLP plus the text_time embedding of the pooled text and the size ids. The part of a step that
     * depends on host values (the timesteps, the ids); {@link #denoise} is device work only, so it can be
     * captured once and replayed as a CUDA graph. One timestep for the whole batch.
     */
    public Tensor embed(Ops ops, float timestep, Tensor textEmbeds, HostTensor timeIds) {
        float[] t = new float[Math.toIntExact(textEmbeds.shape().dim(0))];
        Arrays.fill(t, timestep);
        return embed(ops, t, textEmbeds, timeIds);
    }

    /** {@link #embed(Ops, float, Tensor, HostTensor)} with one timestep per batch entry. */
    public Tensor embed(Ops ops, float[] timesteps, Tensor textEmbeds, HostTensor timeIds) {
        int batch = timesteps.length;
        checkConditioning(textEmbeds, timeIds, batch);
        // time embedding: sinusoidal (fp32) -> MLP, plus the text_time embedding
        Tensor tEmb = ops.mark(Weights.join(path, "time_proj"), timeProj.forward(ops, timesteps));                    // [B, C0]
        Tensor emb = ops.mark(Weights.join(path, "time_embedding"), timeEmbedding.forward(ops, tEmb));                // [B, temb]
        Tensor timeEmbeds = ops.mark(Weights.join(path, "add_time_proj"), addTimeProj.forward(ops, timeIds.data()));  // [B*6, dimT]
        timeEmbeds = ops.reshape(timeEmbeds, Shape.of(batch, UNetConfig.TIME_IDS * config.additionTimeEmbedDim()));
        Tensor addEmbeds = ops.concat(1, textEmbeds, timeEmbeds);                                 // [B, pooled + 6*dimT]
        Tensor aug = ops.mark(Weights.join(path, "add_embedding"), addEmbedding.forward(ops, addEmbeds));             // [B, temb]
        return ops.add(emb, aug);
    }

    /** sample [B, in, H, W], emb [B, temb] from {@link #embed}, encoderHiddenStates [B, M, cross] -> eps [B, out, H, W]. */
    public Tensor denoise(Ops ops, Tensor sample, Tensor emb, Tensor encoderHiddenStates) {
        int batch = checkSample(sample);
        require("emb", emb.shape(), emb.shape().rank() == 2 && emb.shape().dim(0) == batch, "[" + batch + ", temb]");
        checkContext(encoderHiddenStates, batch);
        Tensor h = ops.mark(Weights.join(path, "conv_in"), convIn.forward(ops, sample));                              // [B, C0, H, W]
        List<Tensor> skips = new ArrayList<>();
        skips.add(h);
        for (DownBlock block : downBlocks) {
            DownBlock.Output o = block.forward(ops, h, emb, encoderHiddenStates);
            h = o.hidden();
            skips.addAll(o.resSamples());
        }

        h = midBlock.forward(ops, h, emb, encoderHiddenStates);

        for (UpBlock block : upBlocks) {
            int k = block.skipCount();
            List<Tensor> mine = List.copyOf(skips.subList(skips.size() - k, skips.size()));
            skips.subList(skips.size() - k, skips.size()).clear();
            // diffusers' upsample_size: the next level's skip size (2x, unless H or W was odd there)
            int upH = 0, upW = 0;
            if (block.upsamples()) {
                Shape next = skips.getLast().shape();
                upH = next.intDim(2);
                upW = next.intDim(3);
            }
            h = block.forward(ops, h, mine, emb, encoderHiddenStates, upH, upW);
        }

        h = ops.mark(Weights.join(path, "conv_norm_out"), convNormOut.forward(ops, h));
        return ops.mark(Weights.join(path, "conv_out"), convOut.forward(ops, ops.silu(h)));                           // [B, out, H, W]
    }

    /** Every input of {@link #forward} checked before any work; embed and denoise check their own parts the same way. */
    private void checkInputs(Tensor sample, float[] timesteps, Tensor ehs, Tensor textEmbeds, HostTensor timeIds) {
        int b = checkSample(sample);
        if (timesteps.length != b) {
            throw new IllegalArgumentException("UNet needs one timestep per batch entry (" + b + "), got " + timesteps.length);
        }
        checkContext(ehs, b);
        checkConditioning(textEmbeds, timeIds, b);
    }

    /** The batch size of a [B, in_channels, H, W] sample. */
    private int checkSample(Tensor sample) {
        Shape s = sample.shape();
        if (s.rank() != 4 || s.dim(1) != config.inChannels()) {
            throw new IllegalArgumentException("UNet sample must be [B, " + config.inChannels() + ", H, W], got " + s);
        }
        return s.intDim(0);
    }

    private void checkContext(Tensor ehs, int b) {
        require("encoder_hidden_states", ehs.shape(), ehs.shape().rank() == 3 && ehs.shape().dim(0) == b
                && ehs.shape().dim(2) == config.crossAttentionDim(), "[" + b + ", M, " + config.crossAttentionDim() + "]");
    }

    private void checkConditioning(Tensor textEmbeds, HostTensor timeIds, int b) {
        require("text_embeds", textEmbeds.shape(), textEmbeds.shape().equals(Shape.of(b, config.pooledDim())),
                "[" + b + ", " + config.pooledDim() + "]");
        require("time_ids", timeIds.shape(), timeIds.shape().equals(Shape.of(b, UNetConfig.TIME_IDS)),
                "[" + b + ", " + UNetConfig.TIME_IDS + "]");
    }

    private static void require(String what, Shape got, boolean ok, String want) {
        if (!ok) throw new IllegalArgumentException("UNet " + what + " must be " + want + ", got " + got);
    }
}
