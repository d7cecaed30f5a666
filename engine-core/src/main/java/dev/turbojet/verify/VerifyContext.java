package dev.turbojet.verify;

import dev.turbojet.clip.ClipTokenizer;
import dev.turbojet.clip.TextEncoders;
import dev.turbojet.io.ModelFolder;
import dev.turbojet.io.Variant;
import dev.turbojet.io.WeightFile;
import dev.turbojet.ops.CheckedOps;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.DType;
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
    private final Ops backend;
    private final Ops ops;
    private final boolean checkEachOp;
    private final Map<String, Object> loaded = new HashMap<>();
    private final Map<String, AutoCloseable> owned = new HashMap<>();
    private Ops vaeOps;
    private Ops vaeBackend;

    /** Runs the suites on {@code backend}, each op through a {@link CheckedOps} (waiting for and checking each op if asked). */
    public VerifyContext(ModelFolder model, Ops backend, boolean checkEachOp) {
        this.model = model;
        this.backend = backend;
        this.ops = new CheckedOps(backend, checkEachOp);
        this.checkEachOp = checkEachOp;
    }

    public VerifyContext(ModelFolder model, Ops backend) {
        this(model, backend, false);
    }

    public Ops ops() {
        return ops;
    }

    /** Tolerance for a model output on this backend: the kit's fp32 bound, or a relative one for fp16/bf16 storage. */
    public Tolerance outputTolerance() {
        return outputTolerance(ops.storageType());
    }

    /** Tolerance for an intermediate (hooked) activation on this backend. */
    public Tolerance hookTolerance() {
        return hookTolerance(ops.storageType());
    }

    /** Whether uint8 images must meet the kit's rounding rule (fp32), or are compared like the float outputs. */
    public boolean exactImages() {
        return ops.storageType() == DType.F32 && vaeOps().storageType() == DType.F32;
    }

    /** {@link #outputTolerance} for what the VAE computes, on {@link #vaeOps} (bf16 beside an fp16 backend). */
    public Tolerance vaeOutputTolerance() {
        return outputTolerance(vaeOps().storageType());
    }

    /** {@link #hookTolerance} for the VAE's activations, on {@link #vaeOps}. */
    public Tolerance vaeHookTolerance() {
        return hookTolerance(vaeOps().storageType());
    }

    /** For what passes through both backends (a pipeline's decoded image): the looser of the two. */
    public Tolerance imageTolerance() {
        Tolerance main = outputTolerance(), vae = vaeOutputTolerance();
        if (main.relative() != vae.relative()) return main.relative() ? main : vae;
        return main.value() >= vae.value() ? main : vae;
    }

    private static Tolerance outputTolerance(DType storage) {
        return switch (storage) {
            case F16 -> Tolerance.FP16_MODEL;
            case BF16 -> Tolerance.BF16_MODEL;
            default -> Tolerance.FP32_OUTPUT;
        };
    }

    private static Tolerance hookTolerance(DType storage) {
        return storage == DType.F32 ? Tolerance.FP32_HOOK : outputTolerance(storage);
    }

    /** The backend the VAE runs on: the SDXL VAE overflows in fp16, so an fp16 backend lends it a bf16 one. */
    public Ops vaeOps() {
        if (vaeOps == null) {
            vaeBackend = dev.turbojet.ops.Backend.vaeBackendFor(backend).orElse(null);
            vaeOps = vaeBackend == null ? ops : new CheckedOps(vaeBackend, checkEachOp);
        }
        return vaeOps;
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
        if (vaeBackend != null) {
            try {
                vaeBackend.close();
            } catch (RuntimeException e) {
                if (first == null) first = new RuntimeException("closing the VAE backend: " + e, e);
            }
        }
        vaeOps = null;
        vaeBackend = null;
        if (first != null) throw first;
    }
}
