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
        List<ResnetBlock2D> resnets = new ArrayList<>();
        List<Transformer2DModel> attentions = new ArrayList<>();
        for (int j = 0; j < layers; j++) {
            resnets.add(ResnetBlock2D.load(w.at("resnets").at(j), UpBlock.resnetIn(j, layers, prevOut, skipIn, out), out,
                    tembDim, groups, eps));
            attentions.add(Transformer2DModel.load(w.at("attentions").at(j), out, heads, transformerLayers, contextDim,
                    groups, linearProjection));
        }
        return new CrossAttnUpBlock2D(w.path(), resnets, attentions,
                addUpsample ? Optional.of(Upsample2D.load(w.at("upsamplers").at(0), out)) : Optional.empty());
    }

    @Override
    public Tensor forward(Ops ops, Tensor x, List<Tensor> skips, Tensor temb, Tensor context, int upH, int upW) {
        Tensor h = x;
        for (int j = 0; j < resnets.size(); j++) {
            h = ops.concat(1, h, UpBlock.skipFor(skips, j));   // [B, cur + skip, H, W]
            h = resnets.get(j).forward(ops, h, temb);
            h = attentions.get(j).forward(ops, h, context);
        }
        if (upsampler.isPresent()) h = upsampler.get().forward(ops, h, upH, upW);
        return ops.mark(path, h);
    }

    @Override
    public int skipCount() {
        return resnets.size();
    }

    @Override
    public boolean upsamples() {
        return upsampler.isPresent();
    }
}
