package dev.turbojet.verify;

import dev.turbojet.clip.ClipTokenizer;
import dev.turbojet.clip.TextEncoders;
import dev.turbojet.io.ModelFolder;
import dev.turbojet.io.Variant;
import dev.turbojet.io.WeightFile;
import dev.turbojet.ops.Ops;
import dev.turbojet.unet.UNet2DCondition;
import dev.turbojet.unet.UNetConfig;
import dev.turbojet.vae.AutoencoderKL;
import dev.turbojet.schedule.EulerAncestral;
import dev.turbojet.schedule.SchedulerConfig;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the suites compute with: the model folder and the components loaded from it, each loaded
 * once on first use and shared by every golden file of the run.
 */
public final class VerifyContext implements AutoCloseable {
    private final ModelFolder model;
    private final Ops ops;
    private final Map<String, Object> loaded = new HashMap<>();
    private final Map<String, AutoCloseable> owned = new HashMap<>();

    public VerifyContext(ModelFolder model, Ops ops) {
        this.model = model;
        this.ops = ops;
    }

    public Ops ops() {
        return ops;
    }

    /** Tolerance for a model output on this backend: the kit's fp32 bound, or a relative one for fp16/bf16 storage. */
    public Tolerance outputTolerance() {
        return switch (ops.storageType()) {
            case F16 -> Tolerance.FP16_MODEL;
            case BF16 -> Tolerance.BF16_MODEL;
            default -> Tolerance.FP32_OUTPUT;
        };
    }

    /** Tolerance for an intermediate (hooked) activation on this backend. */
    public Tolerance hookTolerance() {
        return ops.storageType() == dev.turbojet.tensor.DType.F32 ? Tolerance.FP32_HOOK : outputTolerance();
    }

    /** Whether uint8 images must meet the kit's rounding rule (fp32), or are compared like the float outputs. */
    public boolean exactImages() {
        return ops.storageType() == dev.turbojet.tensor.DType.F32;
    }

    /** The backend the VAE runs on: the SDXL VAE overflows in fp16, so an fp16 backend lends it a bf16 one. */
    public Ops vaeOps() {
        return cached("vae-backend", () -> dev.turbojet.ops.Backend.vaeBackendFor(ops).orElse(ops));
    }

    /** Whether {@code component} has weights of {@code variant} (the fp16w goldens need the fp16 files). */
    public boolean hasVariant(String component, Variant variant) {
        return WeightFile.available(model.component(component).folder()).stream().anyMatch(w -> w.variant() == variant);
    }

    public TextEncoders textEncoders(Variant variant) {
        return cached("text_encoders/" + variant, () -> TextEncoders.load(model, ops, variant));
    }

    public UNet2DCondition unet(Variant variant) {
        return cached("unet/" + variant, () -> {
            try (var src = model.openWeights("unet", variant)) {
                return UNet2DCondition.load(src, ops, UNetConfig.read(model.config("unet")));
            }
        });
    }

    public AutoencoderKL vae(Variant variant) {
        return cached("vae/" + variant, () -> AutoencoderKL.load(model, vaeOps(), variant));
    }

    public ModelFolder model() {
        return model;
    }

    /** {@code tokenizer} or {@code tokenizer_2}. */
    public ClipTokenizer tokenizer(String component) {
        return cached(component, () -> ClipTokenizer.load(model.component(component).folder()));
    }

    public EulerAncestral scheduler() {
        return cached("scheduler", () -> new EulerAncestral(SchedulerConfig.load(model.config("scheduler"))));
    }

    /** A value loaded once under {@code key}; closed with the context when it is AutoCloseable. */
    @SuppressWarnings("unchecked")
    public <T> T cached(String key, Supplier<T> load) {
        Object v = loaded.get(key);
        if (v == null) {
            v = load.get();
            loaded.put(key, v);
            if (v instanceof AutoCloseable c) owned.put(key, c);
        }
        return (T) v;
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (AutoCloseable c : owned.values()) {
            try {
                c.close();
            } catch (Exception e) {
                if (first == null) first = new RuntimeException("closing verify resources: " + e, e);
            }
        }
        owned.clear();
        loaded.clear();
        if (first != null) throw first;
    }
}
