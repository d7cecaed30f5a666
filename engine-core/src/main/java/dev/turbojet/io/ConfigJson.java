package dev.turbojet.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A model's config.json as the configs read it: typed access to its keys, where an absent key and
 * a JSON null are the same. Every failure is a {@link CheckpointException} naming the key and the
 * offending value ("act_fn \"gelu\" is not supported (only \"silu\" is implemented)"); {@link #build}
 * prefixes the origin, so a message reads "unet/config.json: act_fn ...".
 *
 * @param origin names the JSON (a path, a bundled resource) in error messages
 */
public record ConfigJson(JsonNode root, String origin) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public ConfigJson {
        if (root == null || !root.isObject()) throw new CheckpointException(origin + ": not a JSON object");
    }

    public static ConfigJson read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in, file.toString());
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * What is wrong with unparsable JSON, in one line: "line 1, column 19: Unexpected character ..." for a
     * parser error (without the parser's second line about its source), else the exception's message.
     */
    public static String problem(IOException e) {
        if (e instanceof com.fasterxml.jackson.core.JacksonException j) {
            var at = j.getLocation();
            String where = at == null || at.getLineNr() < 0 ? "" : "line " + at.getLineNr() + ", column " + at.getColumnNr() + ": ";
            return where + j.getOriginalMessage();
        }
        return e.getMessage();
    }

    public static ConfigJson parse(String json, String origin) {
        try {
            return new ConfigJson(JSON.readTree(json), origin);
        } catch (IOException e) {
            throw new CheckpointException(origin + ": not valid JSON: " + problem(e), e);
        }
    }

    public static ConfigJson parse(InputStream json, String origin) {
        try {
            return new ConfigJson(JSON.readTree(json), origin);
        } catch (IOException e) {
            throw new CheckpointException(origin + ": not valid JSON: " + problem(e), e);
        }
    }

    /** The config built from this JSON; a {@link CheckpointException} on the way gets the origin in front. */
    public <T> T build(Function<ConfigJson, T> config) {
        try {
            return config.apply(this);
        } catch (CheckpointException e) {
            throw new CheckpointException(origin + ": " + e.getMessage(), e);
        }
    }

    /** A value this engine cannot honour: "key value is not supported (why)". */
    /**
     * The most layers a config may ask for in one place (a block's resnets or transformer blocks, a text
     * encoder's layers): real models have 2 to 32, so a larger value is a typo, refused before thousands of
     * layers are built only to find their weights missing.
     */
    public static final int MAX_LAYERS = 256;

    /**
     * The widest a config may make a tensor dimension (channels, hidden sizes, vocabulary): 2^20, so that
     * products such as 4 x width stay far inside an int. Real models stay under 2^18.
     */
    public static final int MAX_WIDTH = 1 << 20;

    /** {@code value} of {@code key} in 1..{@link #MAX_WIDTH}, else a CheckpointException naming both. */
    public static int requireWidth(String key, int value) {
        if (value <= 0 || value > MAX_WIDTH) throw unsupported(key, value, "must be in 1.." + MAX_WIDTH);
        return value;
    }

    public static CheckpointException unsupported(String key, Object value, String why) {
        return new CheckpointException(key + " " + value + " is not supported (" + why + ")");
    }

    public static CheckpointException missing(String key) {
        return new CheckpointException("missing key " + key);
    }

    public boolean absent(String key) {
        return !root.has(key) || root.get(key).isNull();
    }

    /** The raw value of {@code key}; null when absent. */
    public JsonNode get(String key) {
        return absent(key) ? null : root.get(key);
    }

    public int requiredInt(String key) {
        if (absent(key)) throw missing(key);
        return toInt(key, root.get(key));
    }

    public int optionalInt(String key, int dflt) {
        return absent(key) ? dflt : toInt(key, root.get(key));
    }

    public double requiredDouble(String key) {
        if (absent(key)) throw missing(key);
        return toDouble(key, root.get(key));
    }

    public double optionalDouble(String key, double dflt) {
        return absent(key) ? dflt : toDouble(key, root.get(key));
    }

    public boolean optionalBool(String key, boolean dflt) {
        if (absent(key)) return dflt;
        JsonNode v = root.get(key);
        if (!v.isBoolean()) throw wrongType(key, v, "a boolean");
        return v.booleanValue();
    }

    /** The string at {@code key}; a null {@code dflt} makes the key required. */
    public String text(String key, String dflt) {
        if (absent(key)) {
            if (dflt == null) throw missing(key);
            return dflt;
        }
        JsonNode v = root.get(key);
        if (!v.isTextual()) throw wrongType(key, v, "a string");
        return v.textValue();
    }

    /** A required list of integers. */
    public List<Integer> intList(String key) {
        JsonNode v = list(key, "a list of integers");
        List<Integer> out = new ArrayList<>();
        for (JsonNode e : v) out.add(toInt(key, e));
        return out;
    }

    /** A required list of strings. */
    public List<String> textList(String key) {
        JsonNode v = list(key, "a list of strings");
        List<String> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isTextual()) throw wrongType(key, v, "a list of strings");
            out.add(e.textValue());
        }
        return out;
    }

    /** The option whose JSON name is {@code value}, else unsupported naming them all. */
    public static <E> E oneOf(String key, String value, E[] options, Function<E, String> jsonName) {
        for (E e : options) {
            if (jsonName.apply(e).equals(value)) return e;
        }
        List<String> names = new ArrayList<>();
        for (E e : options) names.add(jsonName.apply(e));
        throw unsupported(key, "\"" + value + "\"", "supported: " + String.join(", ", names));
    }

    // ---- keys whose only supported value is one the engine implements --------------------------

    /** The key is absent (then it means {@code dflt}) or a string; either way it must be {@code supported}. */
    public void requireText(String key, String dflt, String supported) {
        JsonNode v = root.get(key);
        String s = absent(key) ? dflt : v.isTextual() ? v.textValue() : v.toString();
        if (!supported.equals(s)) {
            throw unsupported(key, s == null ? "null" : "\"" + s + "\"", "only \"" + supported + "\" is implemented");
        }
    }

    public void requireAbsent(String key, String why) {
        if (!absent(key)) throw unsupported(key, root.get(key), why);
    }

    /** false, absent, or a list of falses. */
    public void requireFalse(String key) {
        if (absent(key)) return;
        JsonNode v = root.get(key);
        boolean ok = v.isBoolean() ? !v.booleanValue() : v.isArray();
        if (v.isArray()) for (JsonNode e : v) ok &= e.isBoolean() && !e.booleanValue();
        if (!ok) throw unsupported(key, v, "only false is implemented");
    }

    /** Absent, or the number {@code supported}. */
    public void requireNumber(String key, double supported) {
        if (absent(key)) return;
        JsonNode v = root.get(key);
        if (!v.isNumber() || v.doubleValue() != supported) throw unsupported(key, v, "only " + supported + " is implemented");
    }

    private JsonNode list(String key, String what) {
        if (absent(key)) throw missing(key);
        JsonNode v = root.get(key);
        if (!v.isArray()) throw wrongType(key, v, what);
        return v;
    }

    private static int toInt(String key, JsonNode v) {
        if (!v.canConvertToExactIntegral() || !v.canConvertToInt()) throw wrongType(key, v, "an integer");
        return v.intValue();
    }

    private static double toDouble(String key, JsonNode v) {
        if (!v.isNumber()) throw wrongType(key, v, "a number");
        return v.doubleValue();
    }

    private static CheckpointException wrongType(String key, JsonNode v, String what) {
        return new CheckpointException(key + " " + v + " is not " + what);
    }
}
