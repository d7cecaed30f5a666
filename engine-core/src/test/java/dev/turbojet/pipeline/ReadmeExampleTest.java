package dev.turbojet.pipeline;

import dev.turbojet.ops.Ops;
import dev.turbojet.ops.cpu.CpuOps;
import dev.turbojet.testing.ReferenceKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's "Use it from Java" example, run on the tiny model: {@link #example} is the README's
 * code, character for character (the test fails when they drift apart).
 */
class ReadmeExampleTest {
    // README:begin
    static void example(String model, Path outDir, int size) throws IOException {
        // model: a diffusers folder, a single-file .safetensors checkpoint or a repository id ("stabilityai/sdxl-turbo")
        try (Ops cpu = new CpuOps();                                                                   // fp32 CPU backend
             SdxlPipeline pipeline = SdxlPipeline.load(model, cpu, PipelineOptions.defaults())) {     // load once
            for (long seed = 1; seed <= 3; seed++) {                                                       // generate many
                GenerationRequest one = GenerationRequest.builder("a red fox in the snow").size(size, size).seed(seed).build();
                pipeline.generate(one).getFirst().writePng(outDir.resolve("fox-" + seed + ".png"));
            }
            List<GeneratedImage> batch = pipeline.generate(GenerationRequest.builder("a lighthouse", "a harbour")
                    .size(size, size).seed(42).steps(2)                                                    // a batch of two
                    .listener(step -> System.out.println("step " + (step.step() + 1) + "/" + step.total()))
                    .build());
            for (GeneratedImage image : batch) image.writePng(outDir.resolve(image.prompt().replace(' ', '-') + ".png"));
        }
    }
    // README:end

    @Test
    void theReadmeExampleRuns(@TempDir Path dir) throws IOException {
        example(ReferenceKit.tiny().toString(), dir, 64);
        for (String f : List.of("fox-1.png", "fox-2.png", "fox-3.png", "a-lighthouse.png", "a-harbour.png")) {
            assertTrue(Files.isRegularFile(dir.resolve(f)), f);
        }
    }

    @Test
    void theReadmeShowsThisCode() throws IOException {
        String test = Files.readString(source());
        String code = test.substring(test.indexOf("// README:begin\n") + "// README:begin\n".length(), test.indexOf("    // README:end"));
        String readme = Files.readString(readme());
        String expected = code.lines().map(l -> l.startsWith("    ") ? l.substring(4) : l).reduce("", (a, b) -> a + b + "\n");
        assertTrue(readme.contains("```java\n" + expected + "```"),
                "README.md's \"Use it from Java\" block must be ReadmeExampleTest.example, unindented by 4:\n" + expected);
        assertEquals(1, readme.split("## Use it from Java", -1).length - 1);
    }

    private static Path source() {
        return repoRoot().resolve("engine-core/src/test/java/dev/turbojet/pipeline/ReadmeExampleTest.java");
    }

    @Test
    void theReadmesImportsNameRealClasses() throws IOException, ClassNotFoundException {
        String readme = Files.readString(readme());
        String block = readme.substring(readme.indexOf("```java\nimport ") + "```java\n".length());
        block = block.substring(0, block.indexOf("```"));
        List<String> imports = block.lines().filter(l -> l.startsWith("import ")).toList();
        assertTrue(imports.size() >= 8, block);
        for (String line : imports) Class.forName(line.substring("import ".length(), line.length() - 1));
        for (String used : List.of("Ops", "CpuOps", "SdxlPipeline", "PipelineOptions", "GenerationRequest", "GeneratedImage", "Path", "List")) {
            assertTrue(imports.stream().anyMatch(l -> l.endsWith("." + used + ";")), "README imports " + used);
        }
    }

    private static Path readme() {
        return repoRoot().resolve("README.md");
    }

    private static Path repoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("README.md")) && Files.isDirectory(p.resolve("engine-core"))) return p;
        }
        throw new IllegalStateException("no repository root above " + Path.of("").toAbsolutePath());
    }
}
