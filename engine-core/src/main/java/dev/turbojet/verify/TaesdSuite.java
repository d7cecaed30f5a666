package dev.turbojet.verify;

import dev.turbojet.ops.TracingOps;
import dev.turbojet.taesd.TaesdDecoder;
import dev.turbojet.taesd.TaesdEncoder;
import dev.turbojet.taesd.TaesdFiles;
import dev.turbojet.tensor.HostTensor;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * TAESD (tiny autoencoder) goldens, as taesd.py computes them. Decoder cases ({@code decoder*.latents}):
 * {@code .output} and every {@code .layerNN} (the output of Sequential index NN, against the
 * decoder's mark of layer NN, {@link TaesdDecoder#layerPath}). Encoder cases ({@code encoder*.image}):
 * {@code .latents} and {@code .latents_scaled_0_1} (TAESD.scale_latents). All at the output
 * tolerance: the layers are at most 20 convs deep.
 *
 * <p>Weights: {@value TaesdFiles#DECODER} and {@value TaesdFiles#ENCODER}, looked for first beside
 * the golden file (as the reference kit's taesdxl folder has them), then in the model folder's
 * {@code taesd/} subfolder; without them each output is listed as not supported, saying where it
 * looked. The weight files themselves, when they sit among the goldens, are recognised too: they
 * are bound with a full weight report (an error line if that fails) and produce no lines otherwise.
 */
public final class TaesdSuite implements GoldenSuite {
    @Override
    public String name() {
        return "taesd";
    }

    @Override
    public boolean accepts(GoldenFile g) {
        return !decoderCases(g).isEmpty() || !encoderCases(g).isEmpty() || isWeightFile(g);
    }

    @Override
    public void run(VerifyContext ctx, GoldenFile g, VerifyReport report) {
        if (isWeightFile(g)) {
            try {
                if (g.fileName().equals(TaesdFiles.DECODER)) decoder(ctx, g.path());
                else encoder(ctx, g.path());
                report.cover(g.names().toArray(String[]::new));
            } catch (RuntimeException e) {
                report.error(g.names().isEmpty() ? g.fileName() : g.names().first(), e);
            }
            return;
        }
        List<Path> places = places(ctx, g);
        for (String c : decoderCases(g)) {
            Optional<Path> file = TaesdFiles.find(TaesdFiles.DECODER, places);
            try {
                if (file.isEmpty()) notFound(g, report, c, ".latents", TaesdFiles.DECODER, places);
                else decodeCase(ctx, g, report, c, decoder(ctx, file.get()));
            } catch (RuntimeException e) {
                report.error(c + ".output", e);
            }
        }
        for (String c : encoderCases(g)) {
            Optional<Path> file = TaesdFiles.find(TaesdFiles.ENCODER, places);
            try {
                if (file.isEmpty()) notFound(g, report, c, ".image", TaesdFiles.ENCODER, places);
                else encodeCase(ctx, g, report, c, encoder(ctx, file.get()));
            } catch (RuntimeException e) {
                report.error(c + ".latents", e);
            }
        }
    }

    private static void decodeCase(VerifyContext ctx, GoldenFile g, VerifyReport report, String c, TaesdDecoder decoder) {
        TracingOps ops = new TracingOps(ctx.ops());
        HostTensor out = ops.download(decoder.decode(ops, ops.upload(report.input(c + ".latents"))));
        if (g.has(c + ".output")) report.check(c + ".output", out, ctx.outputTolerance());
        for (String field : g.under(c + ".")) {
            if (!field.matches("layer\\d+")) continue;
            String path = decoder.layerPath(Integer.parseInt(field.substring("layer".length())));
            HostTensor actual = ops.traced().get(path);
            if (actual == null) report.notSupported(c + "." + field, "the decoder marks no activation " + path);
            else report.check(c + "." + field, actual, ctx.outputTolerance());
        }
    }

    private static void encodeCase(VerifyContext ctx, GoldenFile g, VerifyReport report, String c, TaesdEncoder encoder) {
        HostTensor latents = ctx.ops().download(encoder.encode(ctx.ops(), ctx.ops().upload(report.input(c + ".image"))));
        if (g.has(c + ".latents")) report.check(c + ".latents", latents, ctx.outputTolerance());
        if (g.has(c + ".latents_scaled_0_1")) {
            report.check(c + ".latents_scaled_0_1", TaesdEncoder.scaleLatents(latents), ctx.outputTolerance());
        }
    }

    /** The case's input counts as read; each of its outputs is listed as not supported, saying why. */
    private static void notFound(GoldenFile g, VerifyReport report, String c, String input, String file, List<Path> places) {
        report.cover(c + input);
        for (String field : g.under(c + ".")) {
            if (!("." + field).equals(input)) report.notSupported(c + "." + field, "no " + file + " in " + places);
        }
    }

    private static TaesdDecoder decoder(VerifyContext ctx, Path file) {
        return ctx.cached("taesd-decoder:" + file.toAbsolutePath(), () -> TaesdDecoder.load(file, ctx.ops()));
    }

    private static TaesdEncoder encoder(VerifyContext ctx, Path file) {
        return ctx.cached("taesd-encoder:" + file.toAbsolutePath(), () -> TaesdEncoder.load(file, ctx.ops()));
    }

    /** The golden's own folder, then the model folder's taesd/. */
    private static List<Path> places(VerifyContext ctx, GoldenFile g) {
        return List.of(g.path().toAbsolutePath().getParent(), ctx.model().root().resolve("taesd"));
    }

    private static boolean isWeightFile(GoldenFile g) {
        return g.fileName().equals(TaesdFiles.DECODER) || g.fileName().equals(TaesdFiles.ENCODER);
    }

    /** {@code decoder} or {@code decoder_*} cases with {@code .latents}. */
    private static List<String> decoderCases(GoldenFile g) {
        return cases(g, ".latents", "decoder");
    }

    /** {@code encoder} or {@code encoder_*} cases with {@code .image}. */
    private static List<String> encoderCases(GoldenFile g) {
        return cases(g, ".image", "encoder");
    }

    private static List<String> cases(GoldenFile g, String suffix, String half) {
        return g.cases(suffix).stream().filter(c -> c.equals(half) || c.startsWith(half + "_")).toList();
    }
}
