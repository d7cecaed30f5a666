package dev.turbojet.io;

import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.Shape;
import dev.turbojet.testing.Fuzz;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The safetensors reader under {@link Fuzz#cases()} seeded mutants of small valid files (every dtype,
 * scalars, empty tensors, metadata): byte flips, truncations, insertions, header-length edits, and edits
 * of the header's JSON (numbers, dtype names, structure) with the length field kept consistent, so that
 * most cases get past the first check. Every case opens, reads every tensor and closes, or fails with a
 * {@link SafetensorsException} that has a message: never another exception, an OOM or a hang.
 * {@code -Dturbojet.fuzz.cases=1000000} is the longer run (README, "Verified").
 */
class SafetensorsFuzzTest {
    private static final Pattern NUMBER = Pattern.compile("-?\\d+");
    private static final Pattern STRING = Pattern.compile("\"[^\"]*\"");
    private static final String[] NAMES = {"\"F32\"", "\"F16\"", "\"BF16\"", "\"I64\"", "\"U8\"", "\"BOOL\"", "\"F8_E4M3\"",
        "\"f32\"", "\"\"", "\"dtype\"", "\"shape\"", "\"data_offsets\"", "\"__metadata__\"", "null", "[]", "{}", "1e400", "-0.5"};

    @TempDir
    Path dir;

    @Test
    void everyMutantOpensOrIsRefusedWithAMessage() throws IOException {
        byte[][] corpus = corpus();
        Path file = dir.resolve("case.safetensors");
        long seed = Fuzz.seed();
        int cases = Fuzz.cases();
        assertTimeoutPreemptively(Duration.ofSeconds(Math.max(120, cases / 200)), () -> Fuzz.run("safetensors", cases, seed,
                i -> Fuzz.mutant(corpus, seed, i, Fuzz::flipBytes, (r, b) -> Fuzz.flipBitIn(r, b, 8), Fuzz::truncate,
                        Fuzz::insert, Fuzz::delete, Fuzz::duplicate, SafetensorsFuzzTest::headerLength,
                        SafetensorsFuzzTest::editJson, SafetensorsFuzzTest::editJson, SafetensorsFuzzTest::editJson),
                bytes -> {
                    Files.write(file, bytes);
                    try (SafetensorsFile f = SafetensorsFile.open(file)) {
                        f.metadata();
                        for (TensorView v : f.tensors()) {
                            if (v.dtype().isFloatingPoint()) v.toFloatArray();
                            else v.toByteArray();
                        }
                    }
                },
                t -> t instanceof SafetensorsException e && e.getMessage() != null && !e.getMessage().isBlank()
                        ? null : "threw " + t));
    }

    /** Small valid files covering each dtype, a scalar, an empty tensor, metadata and an empty header. */
    private byte[][] corpus() throws IOException {
        SafetensorsWriter[] writers = {
            new SafetensorsWriter()
                    .add("w", DType.F32, Shape.of(2, 3), new float[]{1, 2, 3, 4, 5, 6})
                    .add("b", DType.F16, Shape.of(3), new float[]{0.5f, -1, 2})
                    .add("ids", DType.I64, Shape.of(2), new long[]{7, -8}),
            new SafetensorsWriter().metadata("format", "pt").metadata("note", "ünïcode")
                    .add("s", DType.BF16, Shape.of(), new float[]{3})
                    .add("empty", DType.F32, Shape.of(0, 4), new float[0])
                    .add("mask", DType.U8, Shape.of(4), new byte[]{1, 0, 1, 1}),
            new SafetensorsWriter().add("a.b.c", DType.F32, Shape.of(1, 1, 2, 2), new float[]{1, 2, 3, 4}),
            new SafetensorsWriter(),
        };
        byte[][] out = new byte[writers.length][];
        for (int i = 0; i < writers.length; i++) {
            Path p = dir.resolve("corpus-" + i + ".safetensors");
            writers[i].write(p);
            out[i] = Files.readAllBytes(p);
        }
        return out;
    }

    /** The header-length field set to a value near the real one or to an edge value. */
    static byte[] headerLength(SplittableRandom r, byte[] b) {
        if (b.length < 8) return b;
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        long real = buf.getLong(0);
        buf.putLong(0, r.nextBoolean() ? real + r.nextInt(-9, 10) : Fuzz.interestingNumber(r));
        return b;
    }

    /**
     * One edit of the header's JSON: a number replaced with an edge value, a string replaced with a dtype
     * name, a keyword or a wrong-typed value, or a structural character inserted or removed; the length
     * field is then rewritten to the new header's length (nine times in ten).
     */
    static byte[] editJson(SplittableRandom r, byte[] b) {
        if (b.length < 8) return b;
        long declared = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        if (declared < 0 || declared > b.length - 8) return b;
        String json = new String(b, 8, (int) declared, StandardCharsets.UTF_8);
        String edited = switch (r.nextInt(4)) {
            case 0 -> Fuzz.replaceMatch(r, json, NUMBER, () -> Long.toString(Fuzz.interestingNumber(r)));
            case 1 -> Fuzz.replaceMatch(r, json, STRING, () -> NAMES[r.nextInt(NAMES.length)]);
            case 2 -> {
                int at = r.nextInt(json.length() + 1);
                yield json.substring(0, at) + "{}[]:,\"-0.e".charAt(r.nextInt(11)) + json.substring(at);
            }
            default -> {
                if (json.isEmpty()) yield json;
                int at = r.nextInt(json.length());
                yield json.substring(0, at) + json.substring(at + 1);
            }
        };
        byte[] header = edited.getBytes(StandardCharsets.UTF_8);
        int rest = b.length - 8 - (int) declared;
        ByteBuffer out = ByteBuffer.allocate(8 + header.length + rest).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(r.nextInt(10) == 0 ? declared : header.length).put(header).put(b, 8 + (int) declared, rest);
        return out.array();
    }
}
