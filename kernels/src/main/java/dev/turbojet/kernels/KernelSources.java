package dev.turbojet.kernels;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CUDA sources shipped as resources, flattened into one string for NVRTC: each local
 * {@code #include "file"} is replaced by that file's text, once, so NVRTC needs no include paths.
 */
public final class KernelSources {
    static final String ROOT = "dev/turbojet/kernels/cuda/";
    static final String MAIN = "turbojet.cu";
    private static final Pattern LOCAL_INCLUDE = Pattern.compile("^\\s*#include\\s+\"([^\"]+)\"\\s*$", Pattern.MULTILINE);

    private KernelSources() {}

    /** turbojet.cu with every local include inlined. */
    public static String amalgamated() {
        StringBuilder out = new StringBuilder();
        inline(MAIN, new HashSet<>(), out);
        return out.toString();
    }

    /** Hex SHA-256 of a source text (the NVRTC cache key, with the architecture). */
    public static String sha256(String source) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is a required JDK algorithm", e);
        }
    }

    private static void inline(String name, Set<String> seen, StringBuilder out) {
        if (!seen.add(name)) {
            return;
        }
        String text = read(name).replace("#pragma once", "");
        Matcher m = LOCAL_INCLUDE.matcher(text);
        int last = 0;
        while (m.find()) {
            out.append(text, last, m.start());
            out.append("// ---- ").append(m.group(1)).append('\n');
            inline(m.group(1), seen, out);
            last = m.end();
        }
        out.append(text, last, text.length());
        if (!text.endsWith("\n")) {
            out.append('\n');
        }
    }

    private static String read(String name) {
        try (InputStream in = KernelSources.class.getClassLoader().getResourceAsStream(ROOT + name)) {
            if (in == null) {
                throw new IllegalStateException("kernel source resource missing: " + ROOT + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ROOT + name, e);
        }
    }
}
