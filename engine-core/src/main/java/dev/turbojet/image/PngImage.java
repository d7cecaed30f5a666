package dev.turbojet.image;

import java.util.SequencedMap;

/**
 * A decoded PNG: its pixels as RGB and its text chunks ({@code tEXt}, {@code zTXt}, {@code iTXt})
 * in file order. {@code hadAlpha} says an alpha channel was present and dropped.
 */
public record PngImage(RgbImage image, SequencedMap<String, String> text, boolean hadAlpha) {}
