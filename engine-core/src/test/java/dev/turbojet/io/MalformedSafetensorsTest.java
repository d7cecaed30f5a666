package dev.turbojet.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each broken file fails at open with its own message naming the file (and the tensor, where there is one). */
class MalformedSafetensorsTest {
    @TempDir
    Path dir;

    private Path file(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    /** A file whose first 8 bytes declare {@code declared} and whose header is {@code json}, then {@code data} zero bytes. */
    private Path file(long declared, String json, int data) throws IOException {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declared).put(h);
        return file("bad.safetensors", b.array());
    }

    private Path file(String json, int data) throws IOException {
        return file(json.getBytes(StandardCharsets.UTF_8).length, json, data);
    }

    private String failure(Path path, String expected) {
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(path).close());
        assertEquals(path, e.file());
        assertTrue(e.getMessage().startsWith(path.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(expected), () -> "expected '" + expected + "' in: " + e.getMessage());
        return e.getMessage();
    }

    private static String one(String entry) {
        return "{\"t\":" + entry + "}";
    }

    @Test
    void missingFile() {
        failure(dir.resolve("absent.safetensors"), "no such file");
    }

    @Test
    void brokenSymlink() throws IOException {
        Path link = Files.createSymbolicLink(dir.resolve("link.safetensors"), dir.resolve("gone"));
        failure(link, "broken symbolic link to " + dir.resolve("gone"));
    }

    @Test
    void emptyAndTruncatedFiles() throws IOException {
        failure(file("empty.safetensors", new byte[0]), "file is 0 bytes, too short");
        failure(file("five.safetensors", new byte[5]), "file is 5 bytes, too short");
    }

    @Test
    void headerLengthPastTheEnd() throws IOException {
        failure(file(1000, "{}", 0), "header length 1000 runs past the end of the 10-byte file");
    }

    @Test
    void hugeHeaderLengthIsRefusedBeforeAllocating() throws IOException {
        failure(file(1L << 40, "{}", 0), "header length 1099511627776 is not in [0, 104857600]");
        failure(file(-1L, "{}", 0), "header length 18446744073709551615 is not in");
    }

    @Test
    void headerNotJson() throws IOException {
        failure(file("{\"t\": {\"dtype\": \"F32\",", 0), "header is not valid JSON");
        failure(file("{} trailing", 0), "header is not valid JSON");
        failure(file("", 0), "header must be a JSON object, found nothing");
    }

    @Test
    void headerNotAnObject() throws IOException {
        failure(file("[1, 2, 3]", 0), "header must be a JSON object, found array");
    }

    @Test
    void duplicateTensorName() throws IOException {
        String e = "{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}";
        failure(file("{\"t\":" + e + ",\"t\":" + e + "}", 1), "Duplicate field 't'");
    }

    @Test
    void entryNotAnObject() throws IOException {
        failure(file(one("[0, 4]"), 4), "tensor 't': must be an object {dtype, shape, data_offsets}");
    }

    @Test
    void unknownDtype() throws IOException {
        failure(file(one("{\"dtype\":\"F8_E4M3X\",\"shape\":[4],\"data_offsets\":[0,4]}"), 4),
                "tensor 't': unknown dtype \"F8_E4M3X\"");
    }

    @Test
    void missingField() throws IOException {
        failure(file(one("{\"dtype\":\"F32\",\"data_offsets\":[0,4]}"), 4), "tensor 't': has no \"shape\"");
    }

    @Test
    void negativeShapeEntry() throws IOException {
        failure(file(one("{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}"), 4),
                "tensor 't': shape [-1] must hold non-negative integers");
    }

    @Test
    void nonIntegerShapeEntry() throws IOException {
        failure(file(one("{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,10]}"), 10),
                "tensor 't': shape [2.5] must hold non-negative integers");
        failure(file(one("{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,8]}"), 8),
                "tensor 't': shape [\"2\"] must hold non-negative integers");
    }

    @Test
    void shapeOverflowingALong() throws IOException {
        failure(file(one("{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]}"), 4),
                "has more elements than a long can count");
    }

    @Test
    void shapeSizeMismatch() throws IOException {
        failure(file(one("{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}"), 20),
                "tensor 't': F32 [2, 3] needs 24 bytes but data_offsets [0,20] hold 20");
    }

    @Test
    void malformedDataOffsets() throws IOException {
        failure(file(one("{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0]}"), 1),
                "tensor 't': data_offsets must be [begin, end], found [0]");
        failure(file(one("{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":\"0-1\"}"), 1),
                "tensor 't': data_offsets must be [begin, end], found \"0-1\"");
        failure(file(one("{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[-1,0]}"), 1),
                "tensor 't': data_offsets [-1,0] must hold two non-negative integers");
        failure(file(one("{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,0]}"), 1),
                "tensor 't': data_offsets [1,0] begin after end");
    }

    @Test
    void rangePastTheDataSection() throws IOException {
        failure(file(one("{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}"), 12),
                "tensor 't': data_offsets [0,16] run past the data section (12 bytes after the header)");
    }

    @Test
    void overlappingRanges() throws IOException {
        String json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                + "\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}}";
        failure(file(json, 20), "tensor 'b' bytes [12, 20) overlap tensor 'a' bytes [0, 16)");
    }

    @Test
    void metadataNotStrings() throws IOException {
        failure(file("{\"__metadata__\":{\"total_size\":12}}", 0), "__metadata__ entry 'total_size' must be a string, found 12");
        failure(file("{\"__metadata__\":[\"x\"]}", 0), "__metadata__ must be an object of strings, found array");
    }

    @Test
    void emptyHeaderObjectIsAValidEmptyFile() throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(file("{}      ", 0))) {
            assertTrue(f.names().isEmpty());
        }
    }
}
