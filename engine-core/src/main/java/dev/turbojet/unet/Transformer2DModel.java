package dev.turbojet.unet;

import dev.turbojet.nn.Conv2d;
import dev.turbojet.nn.GroupNorm;
import dev.turbojet.nn.Linear;
import dev.turbojet.nn.Weights;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Shape;
import dev.turbojet.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * diffusers Transformer2DModel for continuous inputs: GroupNorm (eps 1e-6), proj_in, a stack of
 * BasicTransformerBlocks over the H*W tokens, proj_out, plus the input. With
 * use_linear_projection the projections are Linear layers on tokens [B, H*W, C]; otherwise 1x1 convs
 * on [B, C, H, W] (SD 1.x checkpoints).
 */
public record Transformer2DModel(String path, GroupNorm norm, Projection projIn,
                                 List<BasicTransformerBlock> transformerBlocks, Projection projOut) {
    static final float NORM_EPS = 1e-6f;

    public Transformer2DModel {
        transformerBlocks = List.copyOf(transformerBlocks);
    }

    /** proj_in / proj_out: a Linear on tokens or a 1x1 conv on the image layout. */
    public sealed interface Projection permits TokenLinear, PixelConv {
        static Projection load(Weights w, int in, int out, boolean linear) {
            return linear ? new TokenLinear(Linear.load(w, in, out)) : new PixelConv(Conv2d.load(w, in, out, 1));
        }
    }

    /** weight [out, in], applied to tokens [B, H*W, in] */
    public record TokenLinear(Linear linear) implements Projection {
    }

    /** weight [out, in, 1, 1], applied to [B, in, H, W] */
    public record PixelConv(Conv2d conv) implements Projection {
    }

    public static Transformer2DModel load(Weights w, int channels, int heads, int layers, int contextDim,
                                          int groups, boolean linearProjection) {
        List<BasicTransformerBlock> blocks = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            blocks.add(BasicTransformerBlock.load(w.at("transformer_blocks").at(i), channels, contextDim, heads));
        }
        return new Transformer2DModel(w.path(),
                GroupNorm.load(w.at("norm"), groups, channels, NORM_EPS),
                Projection.load(w.at("proj_in"), channels, channels, linearProjection),
                blocks,
                Projection.load(w.at("proj_out"), channels, channels, linearProjection));
    }

    /** x [B, C, H, W], context [B, M, contextDim] -> [B, C, H, W] */
    public Tensor forward(Ops ops, Tensor x, Tensor context) {
        Shape s = x.shape();
        long b = s.dim(0), c = s.dim(1), hgt = s.dim(2), wid = s.dim(3);
        Tensor h = ops.mark(path + ".norm", norm.forward(ops, x));
        h = switch (projIn) {
            case TokenLinear p -> ops.mark(path + ".proj_in", p.linear().forward(ops, toTokens(ops, h)));   // [B, H*W, C]
            case PixelConv p -> toTokens(ops, ops.mark(path + ".proj_in", p.conv().forward(ops, h)));
        };
        for (BasicTransformerBlock block : transformerBlocks) h = block.forward(ops, h, context);
        h = switch (projOut) {
            case TokenLinear p -> toPixels(ops, ops.mark(path + ".proj_out", p.linear().forward(ops, h)), b, c, hgt, wid);
            case PixelConv p -> ops.mark(path + ".proj_out", p.conv().forward(ops, toPixels(ops, h, b, c, hgt, wid)));
        };
        return ops.mark(path, ops.add(h, x));
    }

    /** [B, C, H, W] -> [B, H*W, C] */
    private static Tensor toTokens(Ops ops, Tensor x) {
        Shape s = x.shape();
        Tensor t = ops.permute(x, 0, 2, 3, 1);
        return ops.reshape(t, Shape.of(s.dim(0), s.dim(2) * s.dim(3), s.dim(1)));
    }

    /** [B, H*W, C] -> [B, C, H, W] */
    private static Tensor toPixels(Ops ops, Tensor t, long b, long c, long h, long w) {
        return ops.permute(ops.reshape(t, Shape.of(b, h, w, c)), 0, 3, 1, 2);
    }
}
