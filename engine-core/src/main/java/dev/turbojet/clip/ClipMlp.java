package dev.turbojet.clip;

import dev.turbojet.nn.Linear;
import dev.turbojet.nn.Weights;
import dev.turbojet.ops.Act;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Tensor;

/** transformers CLIPMLP: fc1, activation (quick_gelu for CLIP-L, gelu for OpenCLIP bigG), fc2. */
public record ClipMlp(Linear fc1, Linear fc2, Act act) {
    public static ClipMlp load(Weights w, int hidden, int intermediate, Act act) {
        return new ClipMlp(Linear.load(w.at("fc1"), hidden, intermediate), Linear.load(w.at("fc2"), intermediate, hidden), act);
    }

    /** x [B, T, hidden] -> [B, T, intermediate] -> [B, T, hidden] */
    public Tensor forward(Ops ops, Tensor x) {
        return fc2.forward(ops, ops.activation(fc1.forward(ops, x), act));
    }
}
