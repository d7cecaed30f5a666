package dev.turbojet.profile;

import dev.turbojet.clip.ClipTextConfig;
import dev.turbojet.io.CheckpointException;
import dev.turbojet.unet.UNetConfig;
import dev.turbojet.vae.VaeConfig;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Which model the benchmarks build: the tiny random model of the reference kit (tiny-sdxl: UNet
 * widths 16/32/64, 3-layer CLIPs) or the real SDXL Turbo architecture. Both read their configs from
 * the classpath (the full ones ship with engine-core, the tiny ones too); weights are always
 * synthetic, see {@link SyntheticModels}.
 */
public enum ModelSize {
    TINY("/dev/turbojet/models/tiny-sdxl/"),
    FULL("/dev/turbojet/models/sdxl-turbo/");

    private final String root;

    ModelSize(String root) {
        this.root = root;
    }

    /** "tiny" or "full", as the benchmarks' {@code size} parameter spells it. */
    public static ModelSize parse(String name) {
        return switch (name) {
            case "tiny" -> TINY;
            case "full" -> FULL;
            default -> throw new IllegalArgumentException("model size '" + name + "': expected tiny or full");
        };
    }

    public UNetConfig unet() {
        try (InputStream in = open("unet/config.json")) {
            return UNetConfig.parse(in, root + "unet/config.json");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public VaeConfig vae() {
        return VaeConfig.parse(text("vae/config.json"), root + "vae/config.json");
    }

    public ClipTextConfig textEncoder() {
        return ClipTextConfig.parse(text("text_encoder/config.json"), root + "text_encoder/config.json");
    }

    public ClipTextConfig textEncoder2() {
        return ClipTextConfig.parse(text("text_encoder_2/config.json"), root + "text_encoder_2/config.json");
    }

    private String text(String file) {
        try (InputStream in = open(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private InputStream open(String file) {
        InputStream in = ModelSize.class.getResourceAsStream(root + file);
        if (in == null) throw new CheckpointException("classpath resource " + root + file + " is missing from this build");
        return in;
    }
}
