package dev.turbojet.io;

import dev.turbojet.tensor.DType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

/** Builds fp16 variants and sharded checkpoints from reference files, with our writer. */
final class TestCheckpoints {
    private TestCheckpoints() {}

    /** {@code source} with every F32 tensor cast to F16 (round to nearest even, as torch's .half()). */
    static Path writeFp16(Path source, Path target) throws IOException {
        try (SafetensorsFile in = SafetensorsFile.open(source)) {
            SafetensorsWriter w = new SafetensorsWriter().metadata(in.metadata());
            for (TensorView v : in.tensors()) {
                if (v.dtype() == DType.F32) w.add(v.name(), DType.F16, v.shape(), v.toFloatArray());
                else w.add(v);
            }
            w.write(target);
        }
        return target;
    }

    /**
     * {@code source} split into {@code shards} files named {@code <stem>-0000i-of-0000n.safetensors}
     * beside {@code index}, plus the index itself (weight_map and metadata.total_size).
     */
    static Path writeSharded(Path source, Path index, String stem, int shards) throws IOException {
        Map<String, String> weightMap = new LinkedHashMap<>();
        long total = 0;
        try (SafetensorsFile in = SafetensorsFile.open(source)) {
            List<TensorView> all = in.tensors();
            int per = (all.size() + shards - 1) / shards;
            for (int s = 0; s < shards; s++) {
                String name = String.format("%s-%05d-of-%05d.safetensors", stem, s + 1, shards);
                SafetensorsWriter w = new SafetensorsWriter().metadata(in.metadata());
                for (TensorView v : all.subList(Math.min(all.size(), s * per), Math.min(all.size(), (s + 1) * per))) {
                    w.add(v);
                    weightMap.put(v.name(), name);
                    total += v.data().byteSize();
                }
                w.write(index.resolveSibling(name));
            }
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("metadata", Map.of("total_size", total));
        json.put("weight_map", weightMap);
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(index.toFile(), json);
        return index;
    }

    static List<String> fileNames(Path folder) throws IOException {
        try (var s = Files.list(folder)) {
            return new ArrayList<>(s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }
}
