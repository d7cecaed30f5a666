package dev.turbojet.vae;

import dev.turbojet.io.CheckpointException;
import dev.turbojet.io.SafetensorsFile;
import dev.turbojet.io.TensorSource;
import dev.turbojet.io.TensorView;
import dev.turbojet.tensor.Shape;
import dev.turbojet.testing.ReferenceKit;
import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A damaged checkpoint fails at load with every problem listed under its full diffusers name. */
class VaeWeightReportTest {
    static final String DROPPED = "decoder.up_blocks.1.resnets.2.conv2.weight";
    static final String RESHAPED = "encoder.mid_block.attentions.0.to_k.weight";
    static final String ADDED = "decoder.mid_block.attentions.0.to_out.1.weight";

    @Test
    void missingMisshapenAndUnexpectedReportedTogether() {
        VaeConfig cfg = VaeConfig.read(ReferenceKit.tiny("vae/config.json"));
        try (SafetensorsFile file = SafetensorsFile.open(ReferenceKit.tiny("vae/diffusion_pytorch_model.safetensors"))) {
            AutoencoderKL.load(file, ReferenceKit.shapeOnlyOps(new AtomicLong()), cfg);   // intact: loads
            TensorSource damaged = new TensorSource() {
                @Override
                public SortedSet<String> names() {
                    TreeSet<String> names = new TreeSet<>(file.names());
                    names.remove(DROPPED);
                    names.add(ADDED);
                    return names;
                }

                @Override
                public Optional<TensorView> find(String name) {
                    if (name.equals(DROPPED)) return Optional.empty();
                    if (name.equals(ADDED)) return file.find("decoder.conv_in.bias");
                    if (name.equals(RESHAPED)) {
                        TensorView v = file.find(name).orElseThrow();                    // [32, 32] -> [16, 64]
                        return Optional.of(new TensorView(name, v.dtype(), Shape.of(16, 64), v.data(), v.origin()));
                    }
                    return file.find(name);
                }

                @Override
                public String description() {
                    return "damaged tiny vae";
                }
            };
            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> AutoencoderKL.load(damaged, ReferenceKit.shapeOnlyOps(new AtomicLong()), cfg));
            String msg = e.getMessage();
            assertTrue(msg.contains("3 problem(s)"), msg);
            assertTrue(msg.contains("missing    " + DROPPED + " [32, 32, 3, 3]"), msg);
            assertTrue(msg.contains("wrong shape " + RESHAPED + ": expected [32, 32], checkpoint has [16, 64]"), msg);
            assertTrue(msg.contains("unexpected " + ADDED), msg);
        }
    }
}
