package dev.turbojet.io.singlefile;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The name mapping between the original Stability single-file SDXL layout
 * ({@code sd_xl_turbo_1.0_fp16.safetensors}: {@code model.diffusion_model.*}, {@code first_stage_model.*},
 * {@code conditioner.embedders.0.transformer.*} (CLIP ViT-L), {@code conditioner.embedders.1.model.*}
 * (OpenCLIP bigG)) and diffusers' per-component names, in both directions.
 *
 * <p>It is a set of rules, not a table, so it holds for any block count: the UNet's flat
 * {@code input_blocks.i} / {@code output_blocks.i} lists are numbered with {@code layersPerBlock}
 * ({@code input_blocks.0} is {@code conv_in}; each down block then has that many resnet(+attention)
 * entries and a downsampler entry; each up block has one more resnet entry, its upsampler sitting
 * after the attention when the block has one); the VAE decoder's {@code up.i} are diffusers'
 * {@code up_blocks} in reverse order. {@code single_file_mapping.tsv} of the reference kit is the
 * specification the rules are tested against.
 */
public final class SingleFileNames {
    static final String UNET = "model.diffusion_model.";
    static final String VAE = "first_stage_model.";
    static final String CLIP_L = "conditioner.embedders.0.transformer.";
    static final String CLIP_G = "conditioner.embedders.1.model.";

    // {original, diffusers} prefix pairs; each applies to a whole dotted segment run.
    private static final String[][] UNET_TOP = {
            {"time_embed.0", "time_embedding.linear_1"}, {"time_embed.2", "time_embedding.linear_2"},
            {"label_emb.0.0", "add_embedding.linear_1"}, {"label_emb.0.2", "add_embedding.linear_2"},
            {"input_blocks.0.0", "conv_in"}, {"out.0", "conv_norm_out"}, {"out.2", "conv_out"}};
    private static final String[][] UNET_RESNET = {
            {"in_layers.0", "norm1"}, {"in_layers.2", "conv1"}, {"emb_layers.1", "time_emb_proj"},
            {"out_layers.0", "norm2"}, {"out_layers.3", "conv2"}, {"skip_connection", "conv_shortcut"}};
    private static final String[][] VAE_RESNET = {
            {"norm1", "norm1"}, {"conv1", "conv1"}, {"norm2", "norm2"}, {"conv2", "conv2"},
            {"nin_shortcut", "conv_shortcut"}};
    private static final String[][] VAE_TOP = {
            {"conv_in", "conv_in"}, {"conv_out", "conv_out"}, {"norm_out", "conv_norm_out"}};
    private static final String[][] VAE_ATTENTION = {
            {"norm", "group_norm"}, {"q", "to_q"}, {"k", "to_k"}, {"v", "to_v"}, {"proj_out", "to_out.0"}};
    private static final String[][] CLIP_G_TOP = {
            {"token_embedding.weight", "text_model.embeddings.token_embedding.weight"},
            {"positional_embedding", "text_model.embeddings.position_embedding.weight"},
            {"ln_final", "text_model.final_layer_norm"}};
    private static final String[][] CLIP_G_LAYER = {
            {"ln_1", "layer_norm1"}, {"ln_2", "layer_norm2"}, {"mlp.c_fc", "mlp.fc1"}, {"mlp.c_proj", "mlp.fc2"},
            {"attn.out_proj", "self_attn.out_proj"}};
    private static final List<String> QKV = List.of("q", "k", "v");

    private static final Pattern UNET_BLOCK = Pattern.compile("(input_blocks|output_blocks)\\.(\\d+)\\.(\\d+)\\.(.+)");
    private static final Pattern UNET_MID = Pattern.compile("middle_block\\.(\\d+)\\.(.+)");
    private static final Pattern DOWN_BLOCK = Pattern.compile("down_blocks\\.(\\d+)\\.(resnets|attentions)\\.(\\d+)\\.(.+)");
    private static final Pattern DOWN_SAMPLER = Pattern.compile("down_blocks\\.(\\d+)\\.downsamplers\\.0\\.conv\\.(.+)");
    private static final Pattern UP_BLOCK = Pattern.compile("up_blocks\\.(\\d+)\\.(resnets|attentions)\\.(\\d+)\\.(.+)");
    private static final Pattern UP_SAMPLER = Pattern.compile("up_blocks\\.(\\d+)\\.upsamplers\\.0\\.conv\\.(.+)");
    private static final Pattern MID_BLOCK = Pattern.compile("mid_block\\.(resnets|attentions)\\.(\\d+)\\.(.+)");
    private static final Pattern VAE_PART = Pattern.compile("(encoder|decoder)\\.(.+)");
    private static final Pattern VAE_LEVEL = Pattern.compile("(down|up)\\.(\\d+)\\.(block\\.(\\d+)|downsample\\.conv|upsample\\.conv)\\.(.+)");
    private static final Pattern VAE_MID = Pattern.compile("mid\\.(block_(\\d+)|attn_1)\\.(.+)");
    private static final Pattern VAE_D_LEVEL = Pattern.compile("(down_blocks|up_blocks)\\.(\\d+)\\.(resnets\\.(\\d+)|downsamplers\\.0\\.conv|upsamplers\\.0\\.conv)\\.(.+)");
    private static final Pattern VAE_D_MID = Pattern.compile("mid_block\\.(resnets\\.(\\d+)|attentions\\.0)\\.(.+)");
    private static final Pattern CLIP_G_BLOCK = Pattern.compile("transformer\\.resblocks\\.(\\d+)\\.(.+)");
    private static final Pattern CLIP_G_QKV = Pattern.compile("text_model\\.encoder\\.layers\\.(\\d+)\\.self_attn\\.([qkv])_proj\\.(weight|bias)");
    private static final Pattern CLIP_G_D_LAYER = Pattern.compile("text_model\\.encoder\\.layers\\.(\\d+)\\.(.+)");

    private final int layersPerBlock;
    private final List<Boolean> upBlockHasAttention;
    private final int vaeBlocks;

    /**
     * @param layersPerBlock      the UNet config's {@code layers_per_block}
     * @param upBlockHasAttention per UNet up block, whether it is a cross-attention block
     * @param vaeBlocks           the VAE config's {@code block_out_channels} length
     */
    public SingleFileNames(int layersPerBlock, List<Boolean> upBlockHasAttention, int vaeBlocks) {
        if (layersPerBlock < 1 || vaeBlocks < 1) throw new IllegalArgumentException("layers_per_block and VAE blocks must be >= 1");
        this.layersPerBlock = layersPerBlock;
        this.upBlockHasAttention = List.copyOf(upBlockHasAttention);
        this.vaeBlocks = vaeBlocks;
    }

    /**
     * Tensors a single file may hold that no diffusers model uses: CLIP's constant
     * {@code position_ids}, OpenCLIP's contrastive {@code logit_scale}, and training state
     * ({@code denoiser.*} sigmas, {@code model_ema.*}).
     */
    public static boolean isUnused(String original) {
        return original.endsWith(".position_ids") || original.equals(CLIP_G + "logit_scale")
                || original.startsWith("denoiser.") || original.startsWith("model_ema.");
    }

    // ---- original → diffusers --------------------------------------------------------------

    /** What the original tensor {@code name} is in diffusers naming, or empty when no rule covers it. */
    public Optional<Mapping> toDiffusers(String name) {
        if (name.startsWith(UNET)) {
            return unet(name.substring(UNET.length())).map(d -> new Mapping(name, Component.UNET, d, Transform.IDENTITY));
        }
        if (name.startsWith(VAE)) return vae(name, name.substring(VAE.length()));
        if (name.startsWith(CLIP_L)) {
            String rest = name.substring(CLIP_L.length());
            if (!rest.startsWith("text_model.") || isUnused(name)) return Optional.empty();
            return Optional.of(new Mapping(name, Component.TEXT_ENCODER, rest, Transform.IDENTITY));
        }
        if (name.startsWith(CLIP_G)) return clipG(name, name.substring(CLIP_G.length()));
        return Optional.empty();
    }

    private Optional<String> unet(String s) {
        Optional<String> top = swap(s, UNET_TOP, true);
        if (top.isPresent()) return top;
        int group = layersPerBlock + 1;
        Matcher m = UNET_BLOCK.matcher(s);
        if (m.matches()) {
            int i = Integer.parseInt(m.group(2));
            int sub = Integer.parseInt(m.group(3));
            String tail = m.group(4);
            if (m.group(1).equals("input_blocks")) {
                if (i == 0) return Optional.empty();
                int block = (i - 1) / group;
                int j = (i - 1) % group;
                String base = "down_blocks." + block + ".";
                if (j == layersPerBlock) {
                    return sub == 0 && tail.startsWith("op.")
                            ? Optional.of(base + "downsamplers.0.conv." + tail.substring(3)) : Optional.empty();
                }
                return resnetOrAttention(base, j, sub, tail);
            }
            int block = i / group;
            int j = i % group;
            String base = "up_blocks." + block + ".";
            if (sub >= 1 && tail.startsWith("conv.") && j == layersPerBlock) {
                int expectedSub = hasAttention(block) ? 2 : 1;
                return sub == expectedSub ? Optional.of(base + "upsamplers.0.conv." + tail.substring(5)) : Optional.empty();
            }
            return resnetOrAttention(base, j, sub, tail);
        }
        m = UNET_MID.matcher(s);
        if (m.matches()) {
            return switch (m.group(1)) {
                case "0" -> swap(m.group(2), UNET_RESNET, true).map(t -> "mid_block.resnets.0." + t);
                case "1" -> Optional.of("mid_block.attentions.0." + m.group(2));
                case "2" -> swap(m.group(2), UNET_RESNET, true).map(t -> "mid_block.resnets.1." + t);
                default -> Optional.empty();
            };
        }
        return Optional.empty();
    }

    private static Optional<String> resnetOrAttention(String base, int j, int sub, String tail) {
        return switch (sub) {
            case 0 -> swap(tail, UNET_RESNET, true).map(t -> base + "resnets." + j + "." + t);
            case 1 -> Optional.of(base + "attentions." + j + "." + tail);
            default -> Optional.empty();
        };
    }

    private boolean hasAttention(int upBlock) {
        return upBlock < upBlockHasAttention.size() && upBlockHasAttention.get(upBlock);
    }

    private Optional<Mapping> vae(String name, String s) {
        if (s.startsWith("quant_conv.") || s.startsWith("post_quant_conv.")) {
            return Optional.of(new Mapping(name, Component.VAE, s, Transform.IDENTITY));
        }
        Matcher part = VAE_PART.matcher(s);
        if (!part.matches()) return Optional.empty();
        String coder = part.group(1) + ".";
        String r = part.group(2);
        Optional<String> top = swap(r, VAE_TOP, true);
        if (top.isPresent()) return Optional.of(new Mapping(name, Component.VAE, coder + top.get(), Transform.IDENTITY));
        Matcher m = VAE_LEVEL.matcher(r);
        if (m.matches()) {
            boolean down = m.group(1).equals("down");
            if (down != coder.equals("encoder.")) return Optional.empty();
            if (m.group(4) == null && !m.group(3).startsWith(m.group(1) + "sample")) return Optional.empty();
            int level = Integer.parseInt(m.group(2));
            if (level >= vaeBlocks) return Optional.empty();
            int block = down ? level : vaeBlocks - 1 - level;   // the decoder's up.i run in reverse
            String base = coder + (down ? "down_blocks." : "up_blocks.") + block + ".";
            String tail = m.group(5);
            String resnet = m.group(4);
            Optional<String> d = resnet != null
                    ? swap(tail, VAE_RESNET, true).map(t -> base + "resnets." + resnet + "." + t)
                    : Optional.of(base + (down ? "downsamplers" : "upsamplers") + ".0.conv." + tail);
            return d.map(n -> new Mapping(name, Component.VAE, n, Transform.IDENTITY));
        }
        m = VAE_MID.matcher(r);
        if (m.matches()) {
            if (m.group(2) != null) {
                int k = Integer.parseInt(m.group(2));
                if (k < 1 || k > 2) return Optional.empty();
                return swap(m.group(3), VAE_RESNET, true)
                        .map(t -> new Mapping(name, Component.VAE, coder + "mid_block.resnets." + (k - 1) + "." + t, Transform.IDENTITY));
            }
            String tail = m.group(3);
            Transform transform = tail.endsWith(".weight") && !tail.startsWith("norm.") ? Transform.RESHAPE : Transform.IDENTITY;
            return swap(tail, VAE_ATTENTION, true)
                    .map(t -> new Mapping(name, Component.VAE, coder + "mid_block.attentions.0." + t, transform));
        }
        return Optional.empty();
    }

    private static Optional<Mapping> clipG(String name, String s) {
        if (s.equals("text_projection")) {
            return Optional.of(new Mapping(name, Component.TEXT_ENCODER_2, "text_projection.weight", Transform.TRANSPOSE));
        }
        Optional<String> top = swap(s, CLIP_G_TOP, true);
        if (top.isPresent()) return Optional.of(new Mapping(name, Component.TEXT_ENCODER_2, top.get(), Transform.IDENTITY));
        Matcher m = CLIP_G_BLOCK.matcher(s);
        if (!m.matches()) return Optional.empty();
        String base = "text_model.encoder.layers." + m.group(1) + ".";
        String tail = m.group(2);
        if (tail.equals("attn.in_proj_weight") || tail.equals("attn.in_proj_bias")) {
            String param = tail.endsWith("weight") ? "weight" : "bias";
            List<String> parts = QKV.stream().map(x -> base + "self_attn." + x + "_proj." + param).toList();
            return Optional.of(new Mapping(name, Component.TEXT_ENCODER_2, parts, Transform.CONCAT_DIM0));
        }
        return swap(tail, CLIP_G_LAYER, true).map(t -> new Mapping(name, Component.TEXT_ENCODER_2, base + t, Transform.IDENTITY));
    }

    // ---- diffusers → original --------------------------------------------------------------

    /**
     * The original tensor that holds diffusers tensor {@code name} of {@code component}, as the
     * same {@link Mapping} {@link #toDiffusers} gives for it (a q, k or v projection answers with
     * the fused tensor and all three names).
     */
    public Optional<Mapping> toOriginal(Component component, String name) {
        Optional<String> original = switch (component) {
            case UNET -> unetInverse(name).map(o -> UNET + o);
            case VAE -> vaeInverse(name).map(o -> VAE + o);
            case TEXT_ENCODER -> name.startsWith("text_model.") ? Optional.of(CLIP_L + name) : Optional.empty();
            case TEXT_ENCODER_2 -> clipGInverse(name).map(o -> CLIP_G + o);
        };
        // The forward rules are the single source of truth: an inverse that does not round-trip is no answer.
        return original.flatMap(this::toDiffusers)
                .filter(m -> m.component() == component && m.diffusers().contains(name));
    }

    private Optional<String> unetInverse(String s) {
        Optional<String> top = swap(s, UNET_TOP, false);
        if (top.isPresent()) return top;
        int group = layersPerBlock + 1;
        Matcher m = DOWN_BLOCK.matcher(s);
        if (m.matches()) {
            int i = 1 + Integer.parseInt(m.group(1)) * group + Integer.parseInt(m.group(3));
            return blockInverse("input_blocks." + i, m.group(2), m.group(4));
        }
        m = DOWN_SAMPLER.matcher(s);
        if (m.matches()) {
            int i = 1 + Integer.parseInt(m.group(1)) * group + layersPerBlock;
            return Optional.of("input_blocks." + i + ".0.op." + m.group(2));
        }
        m = UP_BLOCK.matcher(s);
        if (m.matches()) {
            int i = Integer.parseInt(m.group(1)) * group + Integer.parseInt(m.group(3));
            return blockInverse("output_blocks." + i, m.group(2), m.group(4));
        }
        m = UP_SAMPLER.matcher(s);
        if (m.matches()) {
            int block = Integer.parseInt(m.group(1));
            int i = block * group + layersPerBlock;
            return Optional.of("output_blocks." + i + "." + (hasAttention(block) ? 2 : 1) + ".conv." + m.group(2));
        }
        m = MID_BLOCK.matcher(s);
        if (m.matches()) {
            int j = Integer.parseInt(m.group(2));
            boolean resnet = m.group(1).equals("resnets");
            if (resnet && j <= 1) return swap(m.group(3), UNET_RESNET, false).map(t -> "middle_block." + 2 * j + "." + t);
            if (!resnet && j == 0) return Optional.of("middle_block.1." + m.group(3));
        }
        return Optional.empty();
    }

    private static Optional<String> blockInverse(String base, String kind, String tail) {
        return kind.equals("resnets")
                ? swap(tail, UNET_RESNET, false).map(t -> base + ".0." + t)
                : Optional.of(base + ".1." + tail);
    }

    private Optional<String> vaeInverse(String s) {
        if (s.startsWith("quant_conv.") || s.startsWith("post_quant_conv.")) return Optional.of(s);
        Matcher part = VAE_PART.matcher(s);
        if (!part.matches()) return Optional.empty();
        String coder = part.group(1) + ".";
        String r = part.group(2);
        Optional<String> top = swap(r, VAE_TOP, false);
        if (top.isPresent()) return top.map(t -> coder + t);
        Matcher m = VAE_D_LEVEL.matcher(r);
        if (m.matches()) {
            boolean down = m.group(1).equals("down_blocks");
            if (m.group(4) == null && !m.group(3).startsWith(down ? "down" : "up")) return Optional.empty();
            int block = Integer.parseInt(m.group(2));
            if (block >= vaeBlocks) return Optional.empty();
            int level = down ? block : vaeBlocks - 1 - block;
            String base = coder + (down ? "down." : "up.") + level + ".";
            String resnet = m.group(4);
            if (resnet != null) return swap(m.group(5), VAE_RESNET, false).map(t -> base + "block." + resnet + "." + t);
            return Optional.of(base + (down ? "downsample" : "upsample") + ".conv." + m.group(5));
        }
        m = VAE_D_MID.matcher(r);
        if (m.matches()) {
            if (m.group(2) != null) {
                int j = Integer.parseInt(m.group(2));
                return swap(m.group(3), VAE_RESNET, false).map(t -> coder + "mid.block_" + (j + 1) + "." + t);
            }
            return swap(m.group(3), VAE_ATTENTION, false).map(t -> coder + "mid.attn_1." + t);
        }
        return Optional.empty();
    }

    private static Optional<String> clipGInverse(String s) {
        if (s.equals("text_projection.weight")) return Optional.of("text_projection");
        Optional<String> top = swap(s, CLIP_G_TOP, false);
        if (top.isPresent()) return top;
        Matcher m = CLIP_G_QKV.matcher(s);
        if (m.matches()) return Optional.of("transformer.resblocks." + m.group(1) + ".attn.in_proj_" + m.group(3));
        m = CLIP_G_D_LAYER.matcher(s);
        if (!m.matches()) return Optional.empty();
        String layer = m.group(1);
        return swap(m.group(2), CLIP_G_LAYER, false).map(t -> "transformer.resblocks." + layer + "." + t);
    }

    /**
     * {@code s} with its leading segments renamed by the first pair whose side ({@code forward}:
     * the original, else the diffusers one) equals {@code s} or is followed in it by a dot.
     */
    private static Optional<String> swap(String s, String[][] pairs, boolean forward) {
        for (String[] pair : pairs) {
            String from = forward ? pair[0] : pair[1];
            String to = forward ? pair[1] : pair[0];
            if (s.equals(from)) return Optional.of(to);
            if (s.startsWith(from + ".")) return Optional.of(to + s.substring(from.length()));
        }
        return Optional.empty();
    }
}
