package dev.turbojet.io.singlefile;

import dev.turbojet.tensor.Shape;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** The rules against the reference kit's single_file_mapping.tsv (full-size SDXL Turbo), every row, both ways. */
class SingleFileNamesTest {
    record Row(String original, Component component, List<String> diffusers, Shape originalShape,
               List<Shape> diffusersShapes, Transform transform) {}

    static Path manifests() {
        try {
            return Path.of(SingleFileNamesTest.class.getResource("/reference/manifests/single_file_mapping.tsv").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Shape shape(String text) {
        String t = text.trim();
        t = t.substring(1, t.length() - 1);
        return t.isBlank() ? Shape.of(new long[0])
                : Shape.of(Arrays.stream(t.split(",")).mapToLong(s -> Long.parseLong(s.trim())).toArray());
    }

    static List<Row> rows() throws IOException {
        List<String> lines = Files.readAllLines(manifests().resolve("single_file_mapping.tsv"));
        assertEquals("original_name\tdiffusers_name\toriginal_shape\tdiffusers_shape\ttransform", lines.getFirst());
        List<Row> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\t");
            List<String> full = List.of(f[1].split(";"));
            Component c = Component.ofFolder(full.getFirst().substring(0, full.getFirst().indexOf('/')));
            List<String> names = full.stream().map(n -> {
                assertTrue(n.startsWith(c.folder() + "/"), line);
                return n.substring(c.folder().length() + 1);
            }).toList();
            rows.add(new Row(f[0], c, names, shape(f[2]),
                    Arrays.stream(f[3].split(";")).map(SingleFileNamesTest::shape).toList(),
                    Transform.valueOf(f[4].toUpperCase())));
        }
        return rows;
    }

    private final SingleFileNames names = SingleFileConfigs.bundledSdxlTurbo().names();

    @Test
    void everyOriginalNameMapsAsTheTableSays() throws IOException {
        List<Row> rows = rows();
        assertEquals(2513, rows.size());
        List<String> failures = new ArrayList<>();
        for (Row r : rows) {
            Optional<Mapping> m = names.toDiffusers(r.original());
            Mapping expected = new Mapping(r.original(), r.component(), r.diffusers(), r.transform());
            if (!m.equals(Optional.of(expected))) {
                failures.add(r.original() + ": expected " + expected + ", got " + m);
                continue;
            }
            List<Shape> shapes = r.transform().diffusersShapes(r.originalShape(), r.diffusers().size(), r.original());
            if (!shapes.equals(r.diffusersShapes())) failures.add(r.original() + ": shapes " + shapes + " vs " + r.diffusersShapes());
        }
        assertTrue(failures.isEmpty(), failures.size() + " wrong, first: " + failures.subList(0, Math.min(10, failures.size())));
    }

    @Test
    void everyDiffusersNameMapsBackToItsOriginal() throws IOException {
        List<String> failures = new ArrayList<>();
        for (Row r : rows()) {
            for (String d : r.diffusers()) {
                Optional<Mapping> m = names.toOriginal(r.component(), d);
                Mapping expected = new Mapping(r.original(), r.component(), r.diffusers(), r.transform());
                if (!m.equals(Optional.of(expected))) failures.add(r.component().folder() + "/" + d + ": got " + m);
            }
            Shape back = r.transform().originalShape(r.diffusersShapes(), r.original());
            if (!back.equals(r.originalShape())) failures.add(r.original() + ": original shape " + back + " vs " + r.originalShape());
        }
        assertTrue(failures.isEmpty(), failures.size() + " wrong, first: " + failures.subList(0, Math.min(10, failures.size())));
    }

    /** Every tensor of the full-size diffusers models is produced, with the manifest's shape, by exactly one row. */
    @Test
    void everyDiffusersTensorOfTheManifestsIsProduced() throws IOException {
        Map<String, Shape> produced = new HashMap<>();
        for (Row r : rows()) {
            for (int i = 0; i < r.diffusers().size(); i++) {
                assertNull(produced.put(r.component().folder() + "/" + r.diffusers().get(i), r.diffusersShapes().get(i)),
                        "produced twice: " + r.diffusers().get(i));
            }
        }
        Set<String> manifest = new HashSet<>();
        for (Component c : Component.values()) {
            List<String> lines = Files.readAllLines(manifests().resolve(c.folder() + ".tsv"));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split("\t");
                String key = c.folder() + "/" + f[0];
                manifest.add(key);
                assertEquals(shape(f[1]), produced.get(key), key);
                assertTrue(names.toOriginal(c, f[0]).isPresent(), key);
            }
        }
        assertEquals(manifest, produced.keySet());
    }

    @Test
    void unusedAndForeignNames() {
        assertTrue(SingleFileNames.isUnused("conditioner.embedders.0.transformer.text_model.embeddings.position_ids"));
        assertTrue(SingleFileNames.isUnused("conditioner.embedders.1.model.logit_scale"));
        assertTrue(names.toDiffusers("conditioner.embedders.0.transformer.text_model.embeddings.position_ids").isEmpty());
        assertTrue(names.toDiffusers("cond_stage_model.transformer.text_model.final_layer_norm.weight").isEmpty());
        assertTrue(names.toDiffusers("model.diffusion_model.input_blocks.3.1.norm.weight").isEmpty(), "a downsampler slot has no attention");
        assertTrue(names.toDiffusers("first_stage_model.decoder.up.4.block.0.conv1.weight").isEmpty(), "only 4 VAE levels");
        assertTrue(names.toOriginal(Component.UNET, "down_blocks.0.resnets.0.bogus.weight").isEmpty());
        assertTrue(names.toOriginal(Component.VAE, "decoder.up_blocks.0.downsamplers.0.conv.weight").isEmpty());
    }
}
