package dev.turbojet.io;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** Paths into the reference kit copied under src/test/resources/reference. */
final class ReferenceFiles {
    private ReferenceFiles() {}

    static Path root() {
        URL url = ReferenceFiles.class.getResource("/reference/README.md");
        if (url == null) throw new IllegalStateException("reference kit missing from the test classpath");
        try {
            return Path.of(url.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path tiny() {
        return root().resolve("tiny-sdxl");
    }

    static Path golden(String file) {
        return root().resolve("goldens").resolve(file);
    }
}
