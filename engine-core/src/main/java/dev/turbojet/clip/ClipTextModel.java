package dev.turbojet.clip;

import dev.turbojet.io.TensorSource;
import dev.turbojet.nn.LayerNorm;
import dev.turbojet.nn.Linear;
import dev.turbojet.nn.Weights;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * transformers CLIPTextModel, or CLIPTextModelWithProjection when the config says so (then
 * {@code textProjection} [projectionDim, hidden], no bias, maps the pooled output to text_embeds).
 * Checkpoint names: {@code text_model.embeddings.*}, {@code text_model.encoder.layers.{i}.*},
 * {@code text_model.final_layer_norm.*}, {@code text_projection.weight}; each part's output is marked
 * under that name ({@code path} is the scope the model was loaded from, "" for a text encoder checkpoint).
 */
public record ClipTextModel(String path, ClipTextConfig config, ClipTextEmbeddings embeddings,
                            List<ClipEncoderLayer> layers, LayerNorm finalLayerNorm, Optional<Linear> textProjection) {

    public ClipTextModel {
        layers = List.copyOf(layers);
    }

    /** What transformers returns with output_hidden_states=True. */
    public record Output(List<Tensor> hiddenStates, Tensor lastHiddenState, Tensor pooled, Optional<Tensor> textEmbeds) {
        /** hidden_states[-2], the output of the second-to-last layer: what SDXL conditions on. */
        public Tensor penultimate() {
            return hiddenStates.get(hiddenStates.size() - 2);
        }
    }

    /** Binds every tensor of {@code src} to {@code ops}; fails listing all missing, misshapen and unexpected tensors. */
    public static ClipTextModel load(TensorSource src, Ops ops, ClipTextConfig cfg) {
        Weights w = Weights.of(src, ops);
        ClipTextModel model = load(w, cfg);
        w.report().check();
        return model;
    }

    /** Binds the tensors under {@code w} without checking for leftovers (the caller checks the report). */
    public static ClipTextModel load(Weights w, ClipTextConfig cfg) {
        Weights tm = w.at("text_model");
        List<ClipEncoderLayer> layers = new ArrayList<>();
        for (int i = 0; i < cfg.numHiddenLayers(); i++) {
            layers.add(ClipEncoderLayer.load(tm.at("encoder").at("layers").at(i), cfg));
        }
        return new ClipTextModel(w.path(), cfg,
                ClipTextEmbeddings.load(tm.at("embeddings"), cfg),
                layers,
                LayerNorm.load(tm.at("final_layer_norm"), cfg.hiddenSize(), cfg.layerNormEps()),
                cfg.withProjection()
                        ? Optional.of(Linear.loadNoBias(w.at("text_projection"), cfg.hiddenSize(), cfg.projectionDim()))
                        : Optional.empty());
    }

    /** The full stack. ids [B][T] -> hidden states L+1 x [B, T, hidden], pooled [B, hidden], text_embeds [B, projectionDim]. */
    public Output forward(Ops ops, int[][] ids) {
        List<Tensor> hidden = run(ops, ids, layers.size());
        Tensor last = ops.mark(Weights.join(path, "text_model.final_layer_norm"),
                finalLayerNorm.forward(ops, hidden.getLast()));
        Tensor pooled = ops.gatherRows(last, eosPositions(ids));                          // [B, hidden]
        Optional<Tensor> textEmbeds =
                textProjection.map(p -> ops.mark(Weights.join(path, "text_projection"), p.forward(ops, pooled)));
        return new Output(hidden, last, pooled, textEmbeds);
    }

    /**
     * hidden_states[index] (Python indexing over L+1 entries: 0 the embeddings, i the output of layer i,
     * -1 the last layer before final_layer_norm) computing only the layers it needs: -2 skips the last layer.
     */
    public Tensor hiddenState(Ops ops, int[][] ids, int index) {
        int count = layers.size() + 1;
        int i = index < 0 ? count + index : index;
        if (i < 0 || i >= count) throw new IllegalArgumentException("hidden state " + index + " of " + count);
        return run(ops, ids, i).getLast();
    }

    /** hidden_states[-2] alone (SDXL's text_encoder), without running the last layer. */
    public Tensor penultimate(Ops ops, int[][] ids) {
        return hiddenState(ops, ids, -2);
    }

    /**
     * Where each row's pooled output is read: transformers 4.36 takes argmax(input_ids) when
     * eos_token_id == 2 (the legacy configs, SDXL's included: the first highest id, &lt;|endoftext|&gt;),
     * otherwise the first position holding eos_token_id.
     */
    public int[] eosPositions(int[][] ids) {
        int[] out = new int[ids.length];
        for (int b = 0; b < ids.length; b++) {
            int[] row = ids[b];
            int pos = 0;
            if (config.eosTokenId() == 2) {
                for (int t = 1; t < row.length; t++) if (row[t] > row[pos]) pos = t;
            } else {
                pos = -1;
                for (int t = 0; t < row.length && pos < 0; t++) if (row[t] == config.eosTokenId()) pos = t;
                if (pos < 0) throw new IllegalArgumentException("row " + b + " holds no eos_token_id " + config.eosTokenId());
            }
            out[b] = pos;
        }
        return out;
    }

    /** Embeddings and the first {@code count} layers: returns hidden_states[0..count]. */
    private List<Tensor> run(Ops ops, int[][] ids, int count) {
        checkIds(ids);
        List<Tensor> hidden = new ArrayList<>(count + 1);
        Tensor h = embeddings.forward(ops, ids);                                         // [B, T, hidden]
        hidden.add(h);
        for (int i = 0; i < count; i++) {
            h = layers.get(i).forward(ops, h);
            hidden.add(h);
        }
        return hidden;
    }

    private void checkIds(int[][] ids) {
        if (ids.length == 0) throw new IllegalArgumentException("no token rows");
        int t = ids[0].length;
        if (t == 0) throw new IllegalArgumentException("empty token rows");
        for (int[] row : ids) {
            if (row.length != t) throw new IllegalArgumentException("token rows differ in length: " + t + " and " + row.length);
        }
    }
}
