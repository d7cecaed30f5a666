package dev.turbojet.vae;

import dev.turbojet.io.ModelFolder;
import dev.turbojet.ops.Ops;
import dev.turbojet.ops.cpu.CpuOps;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;
import dev.turbojet.testing.ReferenceKit;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The VAE loads straight from the tiny diffusers folder and still computes. */
class VaeFolderLoadTest {
    @Test
    void loadsFromTheTinyFolder() {
        Ops ops = new CpuOps(2);
        ModelFolder folder = ModelFolder.open(ReferenceKit.tiny());
        VaeDecoder decoder = VaeDecoder.load(folder, ops);
        AutoencoderKL vae = AutoencoderKL.load(folder, ops);
        assertEquals(0.13025f, vae.config().scalingFactor());
        HostTensor z = HostTensor.zeros(Shape.of(1, 4, 2, 3));
        assertEquals(Shape.of(1, 3, 16, 24), decoder.decode(ops, ops.upload(z)).shape());
    }
}
