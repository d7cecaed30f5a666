package dev.turbojet.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turbojet.clip.ClipTextConfig;
import dev.turbojet.clip.ClipTextModel;
import dev.turbojet.io.SafetensorsWriter;
import dev.turbojet.io.SyntheticWeights;
import dev.turbojet.io.TensorView;
import dev.turbojet.nn.Weights;
import dev.turbojet.profile.SyntheticModels;
import dev.turbojet.tensor.DType;
import dev.turbojet.unet.UNet2DCondition;
import dev.turbojet.unet.UNetConfig;
import dev.turbojet.vae.VaeConfig;
import dev.turbojet.vae.VaeDecoder;
import dev.turbojet.vae.VaeEncoder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A tiny SDXL model of another shape than the reference kit's, written as a diffusers folder with
 * seeded random fp32 weights: the reference folder's tokenizers, scheduler and model index, and
 * configs edited to other widths, head counts (head dims 64 and 40, which take the GPU's
 * tensor-core attention, and odd ones), layer counts, group counts and an fp32-safe VAE. For tests
 * that run the same model on two backends and compare them where no golden exists.
 */
public final class GeneratedModel {
    private static final ObjectMapper JSON = new ObjectMapper();

    private GeneratedModel() {}

    /** Writes the model into {@code dir} (created) and returns it. */
    public static Path write(Path dir) {
        try {
            Path tiny = ReferenceKit.tiny();
            copyTree(tiny.resolve("tokenizer"), dir.resolve("tokenizer"));
            copyTree(tiny.resolve("tokenizer_2"), dir.resolve("tokenizer_2"));
            copyTree(tiny.resolve("scheduler"), dir.resolve("scheduler"));
            Files.copy(tiny.resolve("model_index.json"), dir.resolve("model_index.json"));

            // text encoders: 64 wide with one head (head dim 64) and 80 wide with two (head dim 40)
            ObjectNode te1 = edit(tiny.resolve("text_encoder/config.json"), c -> c.put("hidden_size", 64)
                    .put("num_attention_heads", 1).put("num_hidden_layers", 2).put("intermediate_size", 128).put("projection_dim", 64));
            ObjectNode te2 = edit(tiny.resolve("text_encoder_2/config.json"), c -> c.put("hidden_size", 80)
                    .put("num_attention_heads", 2).put("num_hidden_layers", 2).put("intermediate_size", 160).put("projection_dim", 48));
            int crossAttention = 64 + 80, timeEmbed = 16;
            // UNet: three blocks of 32, 80 and 128 channels, heads of 40 and 64, one resnet per block
            ObjectNode unet = edit(tiny.resolve("unet/config.json"), c -> {
                c.set("block_out_channels", ints(32, 80, 128));
                c.set("attention_head_dim", ints(1, 2, 2));
                c.set("transformer_layers_per_block", ints(1, 1, 2));
                c.put("layers_per_block", 1).put("norm_num_groups", 16).put("cross_attention_dim", crossAttention)
                        .put("addition_time_embed_dim", timeEmbed).put("projection_class_embeddings_input_dim", 6 * timeEmbed + 48);
            });
            // VAE: four blocks (latent factor 8, as the pipeline assumes), one resnet each, 8 groups; no force_upcast
            ObjectNode vae = edit(tiny.resolve("vae/config.json"), c -> {
                c.set("block_out_channels", ints(16, 16, 32, 48));
                c.put("layers_per_block", 1).put("norm_num_groups", 8).put("force_upcast", false);
            });

            ClipTextConfig cfg1 = writeConfig(dir.resolve("text_encoder"), te1, ClipTextConfig::read);
            ClipTextConfig cfg2 = writeConfig(dir.resolve("text_encoder_2"), te2, ClipTextConfig::read);
            UNetConfig unetCfg = writeConfig(dir.resolve("unet"), unet, UNetConfig::read);
            VaeConfig vaeCfg = writeConfig(dir.resolve("vae"), vae, VaeConfig::read);
            writeWeights(dir.resolve("text_encoder/model.safetensors"), w -> ClipTextModel.load(w, cfg1), 11);
            writeWeights(dir.resolve("text_encoder_2/model.safetensors"), w -> ClipTextModel.load(w, cfg2), 12);
            writeWeights(dir.resolve("unet/diffusion_pytorch_model.safetensors"), w -> UNet2DCondition.load(w, unetCfg), 13);
            writeWeights(dir.resolve("vae/diffusion_pytorch_model.safetensors"),
                    w -> List.of(VaeEncoder.load(w, vaeCfg), VaeDecoder.load(w, vaeCfg)), 14);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static <T> T writeConfig(Path componentDir, ObjectNode config, Function<Path, T> reader) throws IOException {
        Files.createDirectories(componentDir);
        Path file = componentDir.resolve("config.json");
        JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), config);
        return reader.apply(file);
    }

    private static ObjectNode edit(Path configJson, java.util.function.Consumer<ObjectNode> change) throws IOException {
        ObjectNode c = (ObjectNode) JSON.readTree(configJson.toFile());
        change.accept(c);
        return c;
    }

    private static ArrayNode ints(int... values) {
        ArrayNode a = JSON.createArrayNode();
        for (int v : values) a.add(v);
        return a;
    }

    /** Every tensor the loader asks for, seeded, stored fp32. */
    private static void writeWeights(Path file, Function<Weights, ?> loader, long seed) throws IOException {
        List<SyntheticWeights.Entry> entries = SyntheticModels.manifest(loader);
        SyntheticWeights source = SyntheticWeights.of(entries, DType.F32, seed);
        SafetensorsWriter out = new SafetensorsWriter();
        for (SyntheticWeights.Entry e : entries) {
            TensorView v = source.find(e.name()).orElseThrow();
            out.add(e.name(), DType.F32, e.shape(), v.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        }
        out.write(file);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) Files.copy(f, to.resolve(f.getFileName()));
        }
    }
}
