package dev.turbojet.taesd;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Where TAESDXL weights are found: madebyollin's file names {@value #DECODER} and {@value #ENCODER}
 * (taesd.py's key names, any float dtype) in a folder, or a path to one of them.
 */
public final class TaesdFiles {
    public static final String DECODER = "taesdxl_decoder.safetensors";
    public static final String ENCODER = "taesdxl_encoder.safetensors";

    private TaesdFiles() {
    }

    /** The first of {@code places} holding {@code fileName}: a folder containing it, or the file itself. */
    public static Optional<Path> find(String fileName, List<Path> places) {
        for (Path p : places) {
            if (Files.isRegularFile(p) && p.getFileName().toString().equals(fileName)) return Optional.of(p);
            Path inside = p.resolve(fileName);
            if (Files.isDirectory(p) && Files.isRegularFile(inside)) return Optional.of(inside);
        }
        return Optional.empty();
    }

    /** A decoder named by a user: {@code fileOrFolder} itself when it is a file, else the {@value #DECODER} in that folder. */
    public static Optional<Path> decoderAt(Path fileOrFolder) {
        if (Files.isRegularFile(fileOrFolder)) return Optional.of(fileOrFolder);
        return find(DECODER, List.of(fileOrFolder));
    }

    /**
     * The TAESD decoder for a model: {@code given} ({@link #decoderAt}: the file, or a folder holding
     * {@value #DECODER}) when present, else the first of {@code besideModel} holding {@value #DECODER}.
     * Never the full VAE instead: when there is none, the error names every place it looked.
     */
    public static Path decoder(Optional<Path> given, List<Path> besideModel) {
        if (given.isPresent()) {
            return decoderAt(given.get()).orElseThrow(() -> new IllegalArgumentException("TAESD decoder " + given.get()
                    + ": no such file, and no folder holding " + DECODER));
        }
        return find(DECODER, besideModel).orElseThrow(() -> new IllegalArgumentException(
                "TAESD decoder " + DECODER + " not found in " + besideModel.stream().map(Path::toString)
                        .collect(Collectors.joining(" or ")) + "; download it from github.com/madebyollin/taesd"
                        + " and pass --taesd PATH"));
    }
}
