package dev.turbojet.unet;

import dev.turbojet.nn.Weights;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/** diffusers UNetMidBlock2DCrossAttn (num_layers 1): resnet, then (Transformer2DModel, resnet) pairs. */
public record UNetMidBlock2DCrossAttn(String path, List<ResnetBlock2D> resnets, List<Transformer2DModel> attentions) {

    public UNetMidBlock2DCrossAttn {
        resnets = List.copyOf(resnets);
        attentions = List.copyOf(attentions);
        if (resnets.size() != attentions.size() + 1) {
            throw new IllegalArgumentException(path + ": needs one more resnet than attentions, has "
                    + resnets.size() + " and " + attentions.size());
        }
    }

    public static UNetMidBlock2DCrossAttn load(Weights w, int channels, int tembDim, int groups, float eps, int heads,
                                               int transformerLayers, int contextDim, boolean linearProjection) {
        int layers = 1;
        List<ResnetBlock2D> resnets = new ArrayList<>();
        List<Transformer2DModel> attentions = new ArrayList<>();
        resnets.add(ResnetBlock2D.load(w.at("resnets").at(0), channels, channels, tembDim, groups, eps));
        for (int j = 0; j < layers; j++) {
            attentions.add(Transformer2DModel.load(w.at("attentions").at(j), channels, heads, transformerLayers,
                    contextDim, groups, linearProjection));
            resnets.add(ResnetBlock2D.load(w.at("resnets").at(j + 1), channels, channels, tembDim, groups, eps));
        }
        return new UNetMidBlock2DCrossAttn(w.path(), resnets, attentions);
    }

    /** x [B, C, H, W] -> same shape */
    public Tensor forward(Ops ops, Tensor x, Tensor temb, Tensor context) {
        Tensor h = resnets.get(0).forward(ops, x, temb);
        for (int j = 0; j < attentions.size(); j++) {
            h = attentions.get(j).forward(ops, h, context);
            h = resnets.get(j + 1).forward(ops, h, temb);
        }
        return ops.mark(path, h);
    }
}
