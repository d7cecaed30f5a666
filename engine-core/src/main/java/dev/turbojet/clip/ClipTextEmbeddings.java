package dev.turbojet.clip;

import dev.turbojet.nn.Weights;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Tensor;

/**
 * transformers CLIPTextEmbeddings: token embedding plus learned absolute position embedding.
 * The {@code position_ids} buffer (arange(max_positions)) some checkpoints carry is implied and ignored.
 *
 * @param tokenEmbedding    [vocab, hidden]
 * @param positionEmbedding [maxPositions, hidden]
 */
public record ClipTextEmbeddings(String path, Tensor tokenEmbedding, Tensor positionEmbedding, int maxPositions) {
    public static ClipTextEmbeddings load(Weights w, ClipTextConfig cfg) {
        w.ignore("position_ids");
        return new ClipTextEmbeddings(w.path(),
                w.at("token_embedding").tensor("weight", cfg.vocabSize(), cfg.hiddenSize()),
                w.at("position_embedding").tensor("weight", cfg.maxPositionEmbeddings(), cfg.hiddenSize()),
                cfg.maxPositionEmbeddings());
    }

    /** ids [B][T] (T <= maxPositions) -> [B, T, hidden], marked as {@code path} */
    public Tensor forward(Ops ops, int[][] ids) {
        int tokens = ids[0].length;
        if (tokens > maxPositions) {
            throw new IllegalArgumentException(tokens + " tokens exceed max_position_embeddings " + maxPositions);
        }
        Tensor positions = ops.slice(positionEmbedding, 0, 0, tokens);                  // [T, hidden]
        return ops.mark(path, ops.add(ops.embedding(tokenEmbedding, ids), positions));  // broadcast over B
    }
}
