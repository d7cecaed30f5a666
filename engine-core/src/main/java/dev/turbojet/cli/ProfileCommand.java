package dev.turbojet.cli;

import dev.turbojet.clip.TextEncoders;
import dev.turbojet.io.ModelFolder;
import dev.turbojet.io.SafetensorsSource;
import dev.turbojet.io.Variant;
import dev.turbojet.ops.Backend;
import dev.turbojet.ops.Ops;
import dev.turbojet.profile.Ceilings;
import dev.turbojet.profile.ModelSize;
import dev.turbojet.profile.ProfileReport;
import dev.turbojet.profile.Profiler;
import dev.turbojet.profile.SyntheticModels;
import dev.turbojet.profile.Workloads;
import dev.turbojet.unet.UNet2DCondition;
import dev.turbojet.unet.UNetConfig;
import dev.turbojet.vae.VaeConfig;
import dev.turbojet.vae.VaeDecoder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Function;

/** {@code turbojet profile}: one pass of a component under per-op timing, as tables per op kind and per module. */
@Command(name = "profile",
        description = {
                "Run one component once under per-op timing and print where the time goes: per op kind and per",
                "module path, calls, total ms, %% of the pass, achieved TFLOP/s and GB/s, and their ratio to the",
                "device's ceilings (a GEMM and a copy measured at start-up). Ops between two marks belong to the",
                "second mark's module; --depth cuts module paths to that many segments."},
        footer = {"", "Examples:",
                "  turbojet profile --component unet --synthetic tiny",
                "  turbojet profile --component unet --synthetic full --width 512 --height 512 --by both --top 15",
                "  turbojet profile --component vae --model ./sdxl-turbo --json vae-profile.json"},
        mixinStandardHelpOptions = true)
public final class ProfileCommand implements Callable<Integer> {
    enum Component { unet, vae, text, pipeline }

    enum By { op, module, both }

    @Option(names = "--component", required = true, description = "unet, vae (decoder), text (both encoders) or pipeline.")
    Component component;

    @Option(names = "--model", description = "A diffusers model folder (weights as stored; fp16 variant preferred).")
    Path model;

    @Option(names = "--synthetic", defaultValue = "tiny",
            description = "Without --model: seeded synthetic weights of the tiny or full SDXL Turbo config. Default: ${DEFAULT-VALUE}.")
    String synthetic;

    @Option(names = "--width", defaultValue = "512", description = "Image width in pixels (latent = width / 8). Default: ${DEFAULT-VALUE}.")
    int width;

    @Option(names = "--height", defaultValue = "512", description = "Image height in pixels. Default: ${DEFAULT-VALUE}.")
    int height;

    @Option(names = "--backend", defaultValue = "cpu", description = "cpu, cuda or auto. Default: ${DEFAULT-VALUE}.")
    String backend;

    @Option(names = "--by", defaultValue = "both", description = "op, module or both. Default: ${DEFAULT-VALUE}.")
    By by;

    @Option(names = "--top", defaultValue = "20", description = "Rows per table (0: all). Default: ${DEFAULT-VALUE}.")
    int top;

    @Option(names = "--depth", defaultValue = "4", description = "Module path segments kept (0: whole paths). Default: ${DEFAULT-VALUE}.")
    int depth;

    @Option(names = "--warmup", defaultValue = "0", description = "Unprofiled passes first (JIT warm-up on the CPU). Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--steps", defaultValue = "1", description = "UNet steps of --component pipeline. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--json", description = "Also write the report as JSON to this file.")
    Path json;

    @Mixin
    PrecisionOption precision;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        if (width % 8 != 0 || height % 8 != 0 || width < 8 || height < 8) {
            throw new IllegalArgumentException("--width and --height must be positive multiples of 8, not " + width + "x" + height);
        }
        if (width != height) throw new IllegalArgumentException("profile runs square latents only, not " + width + "x" + height);
        int latent = width / 8;
        try (Ops ops = precision.open(backend, err::println)) {
            err.println("measuring the ceilings on " + ops.describe() + " ...");
            Ceilings ceilings = Ceilings.measure(ops);
            err.println("loading " + component + (model != null ? " from " + model : " (synthetic " + synthetic + ")") + " ...");
            Function<Ops, ?> pass = workload(ops, latent);
            for (int i = 0; i < warmup; i++) pass.apply(ops);
            int bytes = ops.storageType().byteSize();
            ProfileReport r = Profiler.profile(ops, ceilings, component + " " + width + "x" + height, bytes, depth, pass);
            out.print(r.header());
            if (by != By.module) out.print("\n" + r.table("by op", r.byOp(), top));
            if (by != By.op) out.print("\n" + r.table("by module (depth " + depth + ")", r.byModule(), top));
            out.flush();
            if (json != null) Files.writeString(json, r.toJson());
            return 0;
        }
    }

    private Function<Ops, ?> workload(Ops ops, int latent) {
        if (model == null) {
            ModelSize size = ModelSize.parse(synthetic);
            return switch (component) {
                case unet -> unet(ops, SyntheticModels.unet(size.unet(), ops), latent);
                case vae -> vae(ops, SyntheticModels.vaeDecoder(size.vae(), ops), size.vae(), latent);
                case text -> text(SyntheticModels.textEncoders(size.textEncoder(), size.textEncoder2(), ops));
                case pipeline -> pipeline(SyntheticModels.textEncoders(size.textEncoder(), size.textEncoder2(), ops),
                        SyntheticModels.unet(size.unet(), ops), SyntheticModels.vaeDecoder(size.vae(), ops), size.vae(), latent);
            };
        }
        ModelFolder folder = ModelFolder.open(model);
        return switch (component) {
            case unet -> unet(ops, loadUNet(folder, ops), latent);
            case vae -> vae(ops, VaeDecoder.load(folder, ops, Variant.FP16, Variant.FP32), VaeConfig.read(folder.config("vae")), latent);
            case text -> text(TextEncoders.load(folder, ops, Variant.FP16, Variant.FP32));
            case pipeline -> pipeline(TextEncoders.load(folder, ops, Variant.FP16, Variant.FP32), loadUNet(folder, ops),
                    VaeDecoder.load(folder, ops, Variant.FP16, Variant.FP32), VaeConfig.read(folder.config("vae")), latent);
        };
    }

    private static UNet2DCondition loadUNet(ModelFolder folder, Ops ops) {
        try (SafetensorsSource w = folder.openWeights("unet", Variant.FP16, Variant.FP32)) {
            return UNet2DCondition.load(w, ops, UNetConfig.read(folder.config("unet")));
        }
    }

    private static Function<Ops, ?> unet(Ops ops, UNet2DCondition unet, int latent) {
        Workloads.UNetStep step = Workloads.UNetStep.create(ops, unet, latent);
        return step::run;
    }

    private static Function<Ops, ?> vae(Ops ops, VaeDecoder decoder, VaeConfig cfg, int latent) {
        Workloads.Decode decode = Workloads.Decode.create(ops, decoder, cfg, latent);
        return decode::run;
    }

    private static Function<Ops, ?> text(TextEncoders encoders) {
        Workloads.PromptEncode encode = Workloads.PromptEncode.create(encoders);
        return encode::run;
    }

    private Function<Ops, ?> pipeline(TextEncoders encoders, UNet2DCondition unet, VaeDecoder decoder, VaeConfig cfg, int latent) {
        Workloads.Generation g = Workloads.Generation.create(encoders, unet, decoder, cfg, latent, steps);
        return g::run;
    }
}
