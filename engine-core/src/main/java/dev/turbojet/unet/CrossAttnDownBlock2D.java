package dev.turbojet.unet;

import dev.turbojet.nn.Weights;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** diffusers CrossAttnDownBlock2D: (resnet, Transformer2DModel) pairs, then a downsampler unless last. */
public record CrossAttnDownBlock2D(String path, List<ResnetBlock2D> resnets, List<Transformer2DModel> attentions,
                                   Optional<Downsample2D> downsampler) implements DownBlock {

    public CrossAttnDownBlock2D {
        resnets = List.copyOf(resnets);
        attentions = List.copyOf(attentions);
        if (resnets.size() != attentions.size()) {
            throw new IllegalArgumentException(path + ": " + resnets.size() + " resnets but " + attentions.size() + " attentions");
        }
    }

    public static CrossAttnDownBlock2D load(Weights w, int in, int out, int layers, int tembDim, int groups, float eps,
                                            int heads, int transformerLayers, int contextDim, boolean linearProjection,
                                            boolean addDownsample) {
        List<ResnetBlock2D> resnets = new ArrayList<>();
        List<Transformer2DModel> attentions = new ArrayList<>();
        for (int j = 0; j < layers; j++) {
            resnets.add(ResnetBlock2D.load(w.at("resnets").at(j), j == 0 ? in : out, out, tembDim, groups, eps));
            attentions.add(Transformer2DModel.load(w.at("attentions").at(j), out, heads, transformerLayers, contextDim,
                    groups, linearProjection));
        }
        return new CrossAttnDownBlock2D(w.path(), resnets, attentions,
                addDownsample ? Optional.of(Downsample2D.load(w.at("downsamplers").at(0), out)) : Optional.empty());
    }

    @Override
    public Output forward(Ops ops, Tensor x, Tensor temb, Tensor context) {
        List<Tensor> skips = new ArrayList<>();
        Tensor h = x;
        for (int j = 0; j < resnets.size(); j++) {
            h = resnets.get(j).forward(ops, h, temb);
            h = attentions.get(j).forward(ops, h, context);
            skips.add(h);
        }
        if (downsampler.isPresent()) {
            h = downsampler.get().forward(ops, h);
            skips.add(h);
        }
        return DownBlock.marked(ops, path, h, skips);
    }
}
