package dev.turbojet.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads an image file a user hands in (an img2img init image): PNG with turbojet's own reader, JPEG
 * with the JDK's ({@code javax.imageio}, where the runtime has the java.desktop module), both limited to
 * {@link PngReader#MAX_PIXELS} pixels before anything is decoded. Anything else is refused by name.
 */
public final class ImageFiles {
    private ImageFiles() {
    }

    public static RgbImage read(Path file) throws IOException {
        byte[] magic;
        try (InputStream in = Files.newInputStream(file)) {
            magic = in.readNBytes(8);
        }
        if (magic.length >= 3 && (magic[0] & 0xff) == 0xff && (magic[1] & 0xff) == 0xd8 && (magic[2] & 0xff) == 0xff) {
            return readJpeg(file);
        }
        if (magic.length == 8 && java.util.Arrays.equals(magic, PngWriter.SIGNATURE)) return PngReader.read(file).image();
        throw new PngFormatException(file + ": not a PNG or JPEG file");
    }

    private static RgbImage readJpeg(Path file) throws IOException {
        if (ModuleLayer.boot().findModule("java.desktop").isEmpty()) {
            throw new PngFormatException(file + ": JPEG needs the JDK's java.desktop module, which this runtime leaves out;"
                    + " save the image as PNG");
        }
        return Jpeg.read(file);
    }

    /** The javax.imageio part, in its own class so that a runtime without java.desktop never loads it. */
    private static final class Jpeg {
        static RgbImage read(Path file) throws IOException {
            try (javax.imageio.stream.ImageInputStream in = javax.imageio.ImageIO.createImageInputStream(file.toFile())) {
                var readers = javax.imageio.ImageIO.getImageReaders(in);
                if (!readers.hasNext()) throw new PngFormatException(file + ": no JPEG reader in this JDK");
                javax.imageio.ImageReader reader = readers.next();
                try {
                    reader.setInput(in, true, true);
                    long w = reader.getWidth(0), h = reader.getHeight(0);
                    if (w * h > PngReader.MAX_PIXELS) {
                        throw new PngFormatException(file + ": " + w + "x" + h + " is " + (w * h / 1_000_000) + " megapixels, over the "
                                + PngReader.MAX_PIXELS / 1_000_000 + "-megapixel limit (8192x8192); scale it down first");
                    }
                    java.awt.image.BufferedImage image = reader.read(0);
                    byte[] rgb = new byte[3 * image.getWidth() * image.getHeight()];
                    int[] row = new int[image.getWidth()];
                    for (int y = 0; y < image.getHeight(); y++) {
                        image.getRGB(0, y, row.length, 1, row, 0, row.length);
                        for (int x = 0; x < row.length; x++) {
                            int o = 3 * (y * row.length + x);
                            rgb[o] = (byte) (row[x] >> 16);
                            rgb[o + 1] = (byte) (row[x] >> 8);
                            rgb[o + 2] = (byte) row[x];
                        }
                    }
                    return new RgbImage(image.getWidth(), image.getHeight(), rgb);
                } catch (javax.imageio.IIOException e) {
                    throw new PngFormatException(file + ": not a readable JPEG (" + e.getMessage() + ")");
                } finally {
                    reader.dispose();
                }
            }
        }
    }
}
