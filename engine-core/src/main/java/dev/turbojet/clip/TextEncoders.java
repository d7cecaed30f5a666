package dev.turbojet.clip;

import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Tensor;

/**
 * SDXL's two text encoders as StableDiffusionXLPipeline.encode_prompt uses them (no attention
 * mask, clip_skip None): prompt_embeds = concat(te1 hidden_states[-2], te2 hidden_states[-2]) on
 * features, pooled = te2 text_embeds. Ids come already tokenized (tokenizer 1 and tokenizer 2).
 */
public record TextEncoders(ClipTextModel textEncoder, ClipTextModel textEncoder2) {

    /** prompt_embeds [B, T, hidden1 + hidden2] and pooled_prompt_embeds [B, projectionDim2]. */
    public record PromptEmbeds(Tensor promptEmbeds, Tensor pooledPromptEmbeds) {
    }

    public TextEncoders {
        if (textEncoder2.textProjection().isEmpty()) {
            throw new IllegalArgumentException("text_encoder_2 must be a CLIPTextModelWithProjection (it gives the pooled embedding)");
        }
    }

    /** Width of prompt_embeds (2048 for SDXL): the UNet's cross_attention_dim. */
    public int promptEmbedDim() {
        return textEncoder.config().hiddenSize() + textEncoder2.config().hiddenSize();
    }

    /** Width of the pooled embedding (1280 for SDXL). */
    public int pooledDim() {
        return textEncoder2.config().projectionDim();
    }

    /** ids1 from tokenizer 1, ids2 from tokenizer 2, both [B][77]. */
    public PromptEmbeds encode(Ops ops, int[][] ids1, int[][] ids2) {
        if (ids1.length != ids2.length) {
            throw new IllegalArgumentException("tokenizer batches differ: " + ids1.length + " and " + ids2.length + " rows");
        }
        Tensor h1 = textEncoder.penultimate(ops, ids1);                   // [B, T, hidden1], last layer skipped
        ClipTextModel.Output out2 = textEncoder2.forward(ops, ids2);      // full stack: the pooled output needs it
        Tensor embeds = ops.concat(2, h1, out2.penultimate());             // [B, T, hidden1 + hidden2]
        return new PromptEmbeds(embeds, out2.textEmbeds().orElseThrow());
    }
}
