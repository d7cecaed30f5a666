package dev.turbojet.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.SequencedMap;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads non-interlaced 8-bit PNGs — greyscale, greyscale + alpha, RGB and RGBA, all five row
 * filters — into an {@link RgbImage}, as PIL's {@code convert("RGB")} would: grey is replicated,
 * alpha is dropped. Every chunk's CRC is checked. Palette images, 16-bit or sub-byte depths and
 * interlacing are refused with a message saying so.
 */
public final class PngReader {
    /**
     * The most pixels an image may have (8192 x 8192, 67 megapixels): an init image is scaled to at most
     * 4096 on a side, and a larger one would take gigabytes of heap to decode first.
     */
    public static final long MAX_PIXELS = 8192L * 8192;
    /** Largest PNG file read into memory. */
    public static final long MAX_FILE_BYTES = 1L << 30;
    /**
     * The most a deflate stream can expand (a 258-byte match costs at least 2 bits, so about 1032:1): a
     * header asking for more bytes than the image data could hold is refused before the buffer is made.
     */
    private static final long MAX_DEFLATE_RATIO = 1032;
    /** Largest decompressed text chunk. */
    private static final int MAX_TEXT_BYTES = 1 << 20;

    private PngReader() {}

    public static PngImage read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) throw new PngFormatException(file + ": " + size + " bytes is too large for a PNG here");
        return read(Files.readAllBytes(file), file.toString());
    }

    public static PngImage read(InputStream in, String source) throws IOException {
        return read(in.readNBytes((int) MAX_FILE_BYTES), source);
    }

    /** Decodes {@code png}; {@code source} names it in error messages. */
    public static PngImage read(byte[] png, String source) throws PngFormatException {
        if (png.length < 8 || !Arrays.equals(Arrays.copyOf(png, 8), PngWriter.SIGNATURE)) {
            throw new PngFormatException(source + ": not a PNG file (bad signature)");
        }
        int pos = 8;
        Header header = null;
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        SequencedMap<String, String> text = new LinkedHashMap<>();
        boolean ended = false;
        while (!ended) {
            if (pos + 12 > png.length) {
                throw new PngFormatException(source + ": truncated at byte " + pos + " (no IEND chunk)");
            }
            long length = readInt(png, pos) & 0xffffffffL;
            String type = new String(png, pos + 4, 4, StandardCharsets.ISO_8859_1);
            if (length > png.length - pos - 12) {
                throw new PngFormatException(source + ": chunk " + printable(type) + " at byte " + pos + " declares "
                        + length + " bytes but the file ends first (truncated)");
            }
            int dataStart = pos + 8;
            int dataEnd = dataStart + (int) length;
            CRC32 crc = new CRC32();
            crc.update(png, pos + 4, 4 + (int) length);
            int stored = readInt(png, dataEnd);
            if ((int) crc.getValue() != stored) {
                throw new PngFormatException(source + ": CRC mismatch in chunk " + printable(type) + " at byte " + pos
                        + String.format(" (stored %08x, computed %08x): the file is corrupt", stored, (int) crc.getValue()));
            }
            byte[] data = Arrays.copyOfRange(png, dataStart, dataEnd);
            if (header == null && !type.equals("IHDR")) {
                throw new PngFormatException(source + ": first chunk is " + printable(type) + ", not IHDR");
            }
            switch (type) {
                case "IHDR" -> header = Header.parse(data, source);
                case "IDAT" -> idat.writeBytes(data);
                case "IEND" -> ended = true;
                case "tEXt", "zTXt", "iTXt" -> putText(text, type, data, source);
                case "PLTE" -> { /* only meaningful for palette images, which Header refuses */ }
                default -> {
                    if (Character.isUpperCase(type.charAt(0))) {
                        throw new PngFormatException(source + ": unknown critical chunk " + printable(type));
                    }
                }
            }
            pos = dataEnd + 4;
        }
        if (header == null) throw new PngFormatException(source + ": no IHDR chunk");
        byte[] raw = inflate(idat.toByteArray(), header.rawSize(), source);
        return new PngImage(header.unfilter(raw, source), text, header.channels == 2 || header.channels == 4);
    }

    /** IHDR fields that matter for a non-interlaced 8-bit image. */
    private record Header(int width, int height, int channels) {
        static Header parse(byte[] d, String source) throws PngFormatException {
            if (d.length != 13) throw new PngFormatException(source + ": IHDR is " + d.length + " bytes, not 13");
            int width = readInt(d, 0);
            int height = readInt(d, 4);
            int depth = d[8] & 0xff;
            int colourType = d[9] & 0xff;
            if (width <= 0 || height <= 0 || width > RgbImage.MAX_SIDE || height > RgbImage.MAX_SIDE) {
                throw new PngFormatException(source + ": image size " + Integer.toUnsignedString(width) + "x"
                        + Integer.toUnsignedString(height) + " is not in 1.." + RgbImage.MAX_SIDE);
            }
            if ((long) width * height > MAX_PIXELS) {
                throw new PngFormatException(source + ": " + width + "x" + height + " is " + ((long) width * height / 1_000_000)
                        + " megapixels, over the " + MAX_PIXELS / 1_000_000 + "-megapixel limit (8192x8192); scale it down first");
            }
            if (colourType == 3) {
                throw new PngFormatException(source + ": palette (indexed-colour) PNGs are not supported; save it as RGB");
            }
            int channels = switch (colourType) {
                case 0 -> 1;
                case 2 -> 3;
                case 4 -> 2;
                case 6 -> 4;
                default -> throw new PngFormatException(source + ": invalid PNG colour type " + colourType);
            };
            if (depth != 8) {
                throw new PngFormatException(source + ": " + depth + "-bit PNGs are not supported, only 8 bits per channel");
            }
            if (d[10] != 0 || d[11] != 0) throw new PngFormatException(source + ": unknown compression or filter method");
            if (d[12] != 0) throw new PngFormatException(source + ": interlaced (Adam7) PNGs are not supported");
            return new Header(width, height, channels);
        }

        long rawSize() {
            return (long) height * (1L + (long) width * channels);
        }

        RgbImage unfilter(byte[] raw, String source) throws PngFormatException {
            int bpp = channels;
            int stride = width * channels;
            byte[] prev = new byte[stride];
            byte[] cur = new byte[stride];
            byte[] rgb = new byte[3 * width * height];
            for (int y = 0; y < height; y++) {
                int in = y * (stride + 1);
                int type = raw[in] & 0xff;
                for (int i = 0; i < stride; i++) {
                    int x = raw[in + 1 + i] & 0xff;
                    int a = i >= bpp ? cur[i - bpp] & 0xff : 0;
                    int b = prev[i] & 0xff;
                    int c = i >= bpp ? prev[i - bpp] & 0xff : 0;
                    int predicted = switch (type) {
                        case 0 -> 0;
                        case 1 -> a;
                        case 2 -> b;
                        case 3 -> (a + b) >>> 1;
                        case 4 -> PngWriter.paeth(a, b, c);
                        default -> throw new PngFormatException(source + ": row " + y + " has invalid filter type " + type);
                    };
                    cur[i] = (byte) (x + predicted);
                }
                int out = y * width * 3;
                for (int px = 0; px < width; px++) {
                    int s = px * channels;
                    if (channels >= 3) {
                        rgb[out + 3 * px] = cur[s];
                        rgb[out + 3 * px + 1] = cur[s + 1];
                        rgb[out + 3 * px + 2] = cur[s + 2];
                    } else {
                        rgb[out + 3 * px] = rgb[out + 3 * px + 1] = rgb[out + 3 * px + 2] = cur[s];
                    }
                }
                byte[] t = prev;
                prev = cur;
                cur = t;
            }
            return new RgbImage(width, height, rgb);
        }
    }

    private static byte[] inflate(byte[] data, long expected, String source) throws PngFormatException {
        if (expected > Integer.MAX_VALUE - 16) throw new PngFormatException(source + ": image too large to decode");
        if (expected > MAX_DEFLATE_RATIO * data.length + 1024) {
            throw new PngFormatException(source + ": " + data.length + " bytes of image data cannot hold the " + expected
                    + " bytes its header declares (deflate expands at most " + MAX_DEFLATE_RATIO + " times): truncated or corrupt");
        }
        byte[] out = new byte[(int) expected];
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(data);
            int n = 0;
            while (n < out.length) {
                int got = inflater.inflate(out, n, out.length - n);
                n += got;
                if (got == 0) break;   // finished, starved of input or wanting a dictionary: no progress possible
            }
            if (n < out.length) {
                throw new PngFormatException(source + ": image data ends after " + n + " of " + out.length
                        + " bytes (truncated or corrupt IDAT)");
            }
            return out;
        } catch (DataFormatException e) {
            throw new PngFormatException(source + ": corrupt compressed image data: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
    }

    private static void putText(SequencedMap<String, String> text, String type, byte[] d, String source)
            throws PngFormatException {
        int nul = indexOf(d, 0);
        if (nul <= 0) throw new PngFormatException(source + ": " + type + " chunk without a keyword");
        String key = new String(d, 0, nul, StandardCharsets.ISO_8859_1);
        String value = switch (type) {
            case "tEXt" -> new String(d, nul + 1, d.length - nul - 1, StandardCharsets.ISO_8859_1);
            case "zTXt" -> new String(inflateText(Arrays.copyOfRange(d, nul + 2, d.length), source), StandardCharsets.ISO_8859_1);
            default -> {
                if (nul + 3 > d.length) throw new PngFormatException(source + ": iTXt chunk '" + key + "' is truncated");
                boolean compressed = d[nul + 1] != 0;
                int lang = indexOf(d, nul + 3);
                int translated = lang < 0 ? -1 : indexOf(d, lang + 1);
                if (translated < 0) throw new PngFormatException(source + ": iTXt chunk '" + key + "' is malformed");
                byte[] body = Arrays.copyOfRange(d, translated + 1, d.length);
                yield new String(compressed ? inflateText(body, source) : body, StandardCharsets.UTF_8);
            }
        };
        text.put(key, value);
    }

    private static byte[] inflateText(byte[] data, String source) throws PngFormatException {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(data);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            while (!inflater.finished()) {
                int n = inflater.inflate(buf);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new PngFormatException(source + ": compressed text chunk is truncated");
                }
                out.write(buf, 0, n);
                if (out.size() > MAX_TEXT_BYTES) throw new PngFormatException(source + ": text chunk over 1 MiB");
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new PngFormatException(source + ": corrupt compressed text chunk: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
    }

    private static int indexOf(byte[] d, int from) {
        for (int i = from; i < d.length; i++) {
            if (d[i] == 0) return i;
        }
        return -1;
    }

    private static String printable(String type) {
        return type.chars().allMatch(ch -> ch >= 'A' && ch <= 'z') ? "'" + type + "'" : "(unprintable type)";
    }

    private static int readInt(byte[] b, int off) {
        return (b[off] & 0xff) << 24 | (b[off + 1] & 0xff) << 16 | (b[off + 2] & 0xff) << 8 | (b[off + 3] & 0xff);
    }
}
