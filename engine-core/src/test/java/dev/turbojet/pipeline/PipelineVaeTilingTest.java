package dev.turbojet.pipeline;

import dev.turbojet.io.Variant;
import dev.turbojet.ops.Ops;
import dev.turbojet.ops.cpu.CpuOps;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.vae.AutoencoderKL;
import dev.turbojet.vae.VaeImages;
import dev.turbojet.vae.VaeTiling;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * PipelineOptions.vaeTiling on the tiny model, whose VAE tiles are 64 px: AUTO leaves an image of one
 * tile as it was, bit for bit, and tiles a larger one as the VAE's own tiled decode does.
 */
class PipelineVaeTilingTest {
    static final Ops OPS = new CpuOps(2);
    static SdxlPipeline auto, off, on;
    static AutoencoderKL vae;

    @BeforeAll
    static void load() {
        PipelineOptions fp32 = PipelineOptions.defaults().withVariants(List.of(Variant.FP32));
        auto = SdxlPipeline.load(TinyModel.folder(), OPS, fp32);
        off = SdxlPipeline.load(TinyModel.folder(), OPS, fp32.withVaeTiling(VaeTiling.Mode.OFF));
        on = SdxlPipeline.load(TinyModel.folder(), OPS, fp32.withVaeTiling(VaeTiling.Mode.ON));
        vae = AutoencoderKL.load(TinyModel.folder(), OPS);
    }

    private static GeneratedImage generate(SdxlPipeline pipeline, int width, int height) {
        return pipeline.generate(GenerationRequest.builder("a lighthouse at dusk").size(width, height).seed(11).build()).getFirst();
    }

    @Test
    void autoLeavesAnImageOfOneTileUntiled() {
        GeneratedImage a = generate(auto, 64, 64), o = generate(off, 64, 64);
        assertArrayEquals(o.pixels().data(), a.pixels().data());
        assertArrayEquals(o.image().rgb(), a.image().rgb());
        assertFalse(Arrays.equals(o.pixels().data(), generate(on, 64, 64).pixels().data()), "ON tiles even one tile's latent");
    }

    @Test
    void autoTilesALargerImageAsTheVaeDoes() {
        GeneratedImage a = generate(auto, 96, 64), o = generate(off, 96, 64);     // 12 x 8 latents: wider than a tile
        assertArrayEquals(o.latents().data(), a.latents().data(), "tiling changes only the decode");
        assertFalse(Arrays.equals(o.pixels().data(), a.pixels().data()));
        HostTensor z = HostMath.divide(a.latents(), vae.config().scalingFactor());
        HostTensor tiled = VaeImages.toUnitRange(vae.decoder().decodeTiled(OPS, z, VaeTiling.defaults(vae.config())));
        assertArrayEquals(tiled.data(), a.pixels().data());
        assertEquals(96, a.image().width());
    }

    @Test
    void tilesThatDoNotFitTheVaeFailAtLoad() {
        PipelineOptions bad = PipelineOptions.defaults().withVaeTiles(new VaeTiling(100, 0.25));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SdxlPipeline.load(TinyModel.folder(), OPS, bad));
        assertEquals("VaeTiling tileSize 100 is not a multiple of the VAE's upsampling factor 8", e.getMessage());
    }
}
