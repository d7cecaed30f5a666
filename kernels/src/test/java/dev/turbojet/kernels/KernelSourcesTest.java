package dev.turbojet.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.turbojet.ffi.Lib;
import dev.turbojet.ffi.nvrtc.CompiledKernel;
import dev.turbojet.ffi.nvrtc.Nvrtc;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The shipped sources: flattening for NVRTC, the NVRTC compile itself, and the fatbin resource. */
class KernelSourcesTest {
    /** Every kernel name a launcher can produce. */
    static List<String> launcherKernelNames() {
        List<String> names = new ArrayList<>();
        for (ElementType t : ElementType.values()) {
            for (String family : List.of("group_norm", "layer_norm", "softmax", "add", "add_row", "add_nc", "mul", "scale",
                    "silu", "gelu", "quick_gelu", "geglu", "from_f32", "to_f32", "timestep_embedding", "embedding_i32",
                    "embedding_i64", "attention_d40", "attention_d64", "attention_d80", "attention_d128",
                    "attention_generic")) {
                names.add(family + "_" + t.suffix);
            }
        }
        names.addAll(List.of("nchw_to_nhwc_16", "nhwc_to_nchw_16", "upsample_nearest_nhwc_16", "concat_channels_nhwc_16",
                "pad_nhwc_16"));
        return names;
    }

    @Test
    void amalgamationInlinesEveryLocalIncludeOnce() {
        String all = KernelSources.amalgamated();
        assertFalse(Pattern.compile("#include\\s+\"").matcher(all).find(), "local include left in the flattened source");
        assertEquals(1, all.split("namespace tj \\{", -1).length - 1, "common.cuh inlined more than once");
        for (String family : List.of("group_norm.cu", "layer_norm.cu", "softmax.cu", "elementwise.cu", "layout.cu",
                "embedding.cu", "attention.cu")) {
            assertTrue(all.contains("// ---- " + family), family);
        }
        assertEquals(64, KernelSources.sha256(all).length());
    }

    @Test
    void everyFamilyOpensWithItsMathsAndPytorchTwin() throws Exception {
        for (String family : List.of("group_norm.cu", "layer_norm.cu", "softmax.cu", "elementwise.cu", "layout.cu",
                "embedding.cu", "attention.cu")) {
            String text = new String(getClass().getClassLoader()
                    .getResourceAsStream(KernelSources.ROOT + family).readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(text.startsWith("//"), family + " must open with a comment");
            assertTrue(text.substring(0, Math.min(text.length(), 1500)).matches("(?s).*(torch|diffusers|PyTorch).*"),
                    family + " must name the PyTorch op it matches");
        }
    }

    @Test
    void nvrtcCompilesEveryKernelTheLaunchersName() {
        Optional<Path> nvrtc = NvrtcLibrary.configure();
        assumeTrue(nvrtc.isPresent(), NvrtcLibrary.ABSENT);
        CompiledKernel ptx = Nvrtc.compile(KernelSources.amalgamated(), KernelSources.MAIN,
                List.of("--gpu-architecture=compute_80", "-std=c++17"));
        String text = new String(ptx.image(), StandardCharsets.US_ASCII);
        for (String name : launcherKernelNames()) {
            assertTrue(text.contains(".entry " + name + "("), "no kernel " + name + " in the NVRTC output");
        }
        assertTrue(text.contains("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32"));
        assertTrue(text.contains("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32"));
    }

    @Test
    void fatbinIsPackagedWhenTheBuildHadNvcc() {
        Optional<byte[]> fatbin = KernelImage.fatbin();
        boolean nvcc = nvccOnThisMachine();
        assumeTrue(nvcc || fatbin.isPresent(), "no nvcc here: the build packages no fatbin (NVRTC fallback)");
        assumeTrue(!Boolean.getBoolean("turbojet.kernels.skipNvcc"), "fatbin build skipped by turbojet.kernels.skipNvcc");
        assertTrue(fatbin.isPresent(), "nvcc is installed but " + KernelImage.FATBIN + " is not on the class path");
        byte[] b = fatbin.get();
        // fatbin files open with the magic 0xBA55ED50, little-endian.
        assertEquals(0x50, b[0] & 0xff);
        assertEquals(0xED, b[1] & 0xff);
        assertEquals(0x55, b[2] & 0xff);
        assertEquals(0xBA, b[3] & 0xff);
    }

    private static boolean nvccOnThisMachine() {
        List<Path> candidates = new ArrayList<>();
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            candidates.add(Path.of(dir, "nvcc"));
        }
        Optional.ofNullable(System.getenv("NVCC")).filter(s -> !s.isBlank()).map(Path::of).ifPresent(candidates::add);
        Optional.ofNullable(System.getenv("CUDA_HOME")).map(h -> Path.of(h, "bin", "nvcc")).ifPresent(candidates::add);
        candidates.add(Path.of("/usr/local/cuda/bin/nvcc"));
        return candidates.stream().anyMatch(Files::isExecutable);
    }

    @Test
    void libIsNvrtc() {
        assertEquals("TURBOJET_NVRTC", Lib.NVRTC.envVar());
    }
}
