package dev.turbojet.unet;

import dev.turbojet.nn.Weights;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** diffusers CrossAttnUpBlock2D: (resnet on hidden ++ skip, Transformer2DModel) pairs, then an upsampler unless last. */
public record CrossAttnUpBlock2D(String path, List<ResnetBlock2D> resnets, List<Transformer2DModel> attentions,
                                 Optional<Upsample2D> upsampler) implements UpBlock {

    public CrossAttnUpBlock2D {
        resnets = List.copyOf(resnets);
        attentions = List.copyOf(attentions);
        if (resnets.size() != attentions.size()) {
            throw new IllegalArgumentException(path + ": " + resnets.size() + " resnets but " + attentions.size() + " attentions");
        }
    }

    public static CrossAttnUpBlock2D load(Weights w, int prevOut, int skipIn, int out, int layers, int tembDim, int groups,
                                          float eps, int heads, int transformerLayers, int contextDim,
                                          boolean linearProjection, boolean addUpsample) {
        List<ResnetBlock2D> resnets = UpBlock.loadResnets(w, prevOut, skipIn, out, layers, tembDim, groups, eps);
        List<Transformer2DModel> attentions = new ArrayList<>();
        for (int j = 0; j < layers; j++) {
            attentions.add(Transformer2DModel.load(w.at("attentions").at(j), out, heads, transformerLayers, contextDim,
                    groups, linearProjection));
        }
        return new CrossAttnUpBlock2D(w.path(), resnets, attentions, UpBlock.loadUpsampler(w, out, addUpsample));
    }

    @Override
    public Tensor afterResnet(Ops ops, int j, Tensor h, Tensor context) {
        return attentions.get(j).forward(ops, h, context);
    }
}
