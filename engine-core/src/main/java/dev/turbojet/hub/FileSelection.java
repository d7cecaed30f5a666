package dev.turbojet.hub;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which files of a diffusers repository the engine needs: {@code model_index.json}; for each
 * component folder it names, the config and tokenizer files; and the weights as safetensors only,
 * the fp16 variant where the folder has one ({@code *.fp16.safetensors}, or a sharded fp16 index
 * with its shards), else the default files. Never {@code .bin}, {@code .ckpt}, ONNX, Flax,
 * OpenVINO or the root single-file checkpoints: about 7 GB of SDXL Turbo's 30 GB repository.
 */
public final class FileSelection {
    public static final String MODEL_INDEX = "model_index.json";
    private static final Set<String> SMALL_FILES = Set.of(
            "config.json", "scheduler_config.json", "tokenizer_config.json", "special_tokens_map.json",
            "preprocessor_config.json", "vocab.json", "merges.txt", "tokenizer.json", "added_tokens.json");

    private FileSelection() {}

    /** The files to fetch, sorted, from a repository listing and the component names of its model_index.json. */
    public static List<String> select(Collection<String> repoFiles, Collection<String> components) {
        Set<String> out = new TreeSet<>();
        if (repoFiles.contains(MODEL_INDEX)) out.add(MODEL_INDEX);
        for (String component : components) {
            String dir = component + "/";
            List<String> inFolder = repoFiles.stream()
                    .filter(f -> f.startsWith(dir) && f.indexOf('/', dir.length()) < 0)
                    .map(f -> f.substring(dir.length()))
                    .toList();
            for (String f : inFolder) {
                if (SMALL_FILES.contains(f)) out.add(dir + f);
            }
            List<String> fp16 = inFolder.stream().filter(f -> isWeight(f) && isFp16(f)).toList();
            List<String> chosen = !fp16.isEmpty() ? fp16 : inFolder.stream().filter(f -> isWeight(f) && !isVariant(f)).toList();
            for (String f : chosen) out.add(dir + f);
        }
        return List.copyOf(out);
    }

    /** A safetensors weight file or a safetensors shard index. */
    static boolean isWeight(String name) {
        return name.endsWith(".safetensors") || (name.contains(".safetensors.index") && name.endsWith(".json"));
    }

    /** {@code x.fp16.safetensors}, {@code x.fp16-00001-of-00002.safetensors}, {@code x.safetensors.index.fp16.json}. */
    static boolean isFp16(String name) {
        return name.contains(".fp16.") || name.contains(".fp16-");
    }

    /** Any variant infix (fp16, bf16, ema, ...): a dot-separated segment between the base name and the extension. */
    static boolean isVariant(String name) {
        String base = name.replace(".safetensors.index.json", "").replace(".safetensors", "");
        String core = base.replaceAll("-\\d{5}-of-\\d{5}$", "");
        if (name.contains(".safetensors.index.") && !name.endsWith(".safetensors.index.json")) return true;
        return core.contains(".");
    }

    /** The components with weights or configs: every array-valued, non-null entry of model_index.json. */
    public static List<String> components(com.fasterxml.jackson.databind.JsonNode modelIndex) {
        List<String> out = new ArrayList<>();
        for (var e : modelIndex.properties()) {
            var v = e.getValue();
            if (e.getKey().startsWith("_") || !v.isArray() || v.size() != 2 || v.get(0).isNull()) continue;
            String name = e.getKey();
            if (name.contains("/") || name.contains("\\") || name.startsWith(".")) continue;
            out.add(name);
        }
        return out;
    }
}
