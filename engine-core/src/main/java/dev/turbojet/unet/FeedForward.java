package dev.turbojet.unet;

import dev.turbojet.nn.Linear;
import dev.turbojet.nn.Weights;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Tensor;

/** diffusers FeedForward with activation_fn "geglu", mult 4: net.0 = GEGLU(proj), net.1 dropout, net.2 Linear. */
public record FeedForward(Linear proj, Linear out) {
    public static FeedForward load(Weights w, int dim) {
        int inner = 4 * dim;
        return new FeedForward(
                Linear.load(w.at("net").at(0).at("proj"), dim, 2 * inner),   // weight [2 * inner, dim]
                Linear.load(w.at("net").at(2), inner, dim));                 // weight [dim, inner]
    }

    /** x [B, N, dim] -> [B, N, dim] */
    public Tensor forward(Ops ops, Tensor x) {
        Tensor h = ops.geglu(proj.forward(ops, x));   // [B, N, 2 * inner] -> [B, N, inner]
        return out.forward(ops, h);
    }
}
