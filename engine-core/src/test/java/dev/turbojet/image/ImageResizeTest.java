package dev.turbojet.image;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class ImageResizeTest {
    private static RgbImage split(int w, int h) {
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * 3;
                if (x < w / 2) rgb[i] = (byte) 255; else rgb[i + 2] = (byte) 255;   // left red, right blue
            }
        }
        return new RgbImage(w, h, rgb);
    }

    @Test
    void sameSizeIsUnchanged() {
        RgbImage img = split(8, 8);
        assertSame(img, ImageResize.coverAndCenterCrop(img, 8, 8));
    }

    @Test
    void wideImageIsCroppedInTheCentreNotStretched() {
        // 100x50 onto 50x50: scale 1 (height covers), columns 25..74 kept
        RgbImage out = ImageResize.coverAndCenterCrop(split(100, 50), 50, 50);
        assertEquals(50, out.width());
        assertEquals(50, out.height());
        assertEquals(255, out.get(0, 10, 0));
        assertEquals(255, out.get(24, 10, 0));
        assertEquals(255, out.get(25, 10, 2));
        assertEquals(255, out.get(49, 10, 2));
    }

    @Test
    void downscaleAveragesAndKeepsUniformColour() {
        byte[] rgb = new byte[300 * 200 * 3];
        for (int i = 0; i < rgb.length; i += 3) { rgb[i] = 10; rgb[i + 1] = (byte) 200; rgb[i + 2] = 99; }
        RgbImage out = ImageResize.coverAndCenterCrop(new RgbImage(300, 200, rgb), 64, 64);
        for (int i = 0; i < out.rgb().length; i += 3) {
            assertEquals(10, out.rgb()[i] & 0xff);
            assertEquals(200, out.rgb()[i + 1] & 0xff);
            assertEquals(99, out.rgb()[i + 2] & 0xff);
        }
        // a 1-pixel checkerboard shrunk 4x becomes its mean grey (antialiased, not point-sampled)
        byte[] checker = new byte[64 * 64 * 3];
        for (int y = 0; y < 64; y++) for (int x = 0; x < 64; x++) {
            byte v = (byte) (((x + y) & 1) == 0 ? 255 : 0);
            for (int c = 0; c < 3; c++) checker[(y * 64 + x) * 3 + c] = v;
        }
        RgbImage small = ImageResize.coverAndCenterCrop(new RgbImage(64, 64, checker), 16, 16);
        for (int y = 2; y < 14; y++) for (int x = 2; x < 14; x++) {
            assertEquals(128, small.get(x, y, 0), 3, "pixel " + x + "," + y);
        }
    }

    @Test
    void upscaleInterpolatesBetweenNeighbours() {
        byte[] rgb = {0, 0, 0, (byte) 200, (byte) 200, (byte) 200};
        RgbImage out = ImageResize.coverAndCenterCrop(new RgbImage(2, 1, rgb), 8, 4);
        int last = -1;
        for (int x = 0; x < 8; x++) {
            int v = out.get(x, 1, 0);
            assertTrue(v >= last, "monotone across the edge");
            last = v;
        }
        assertEquals(0, out.get(0, 0, 0));
        assertEquals(200, out.get(7, 0, 0));
    }
}
