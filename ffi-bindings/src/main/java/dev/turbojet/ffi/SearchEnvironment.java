package dev.turbojet.ffi;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything the library search reads from the outside world, gathered in one value so that the
 * search itself is a pure function and can be tested against temporary folders.
 *
 * @param properties  system properties (explicit library paths)
 * @param env         environment variables
 * @param home        the user's home folder (~/.local, ~/.javacpp/cache, ~/.cache/turbojet)
 * @param prefixes    system prefixes whose {@code lib/python3*} folders hold site-packages
 * @param classpath   class-path entries and jars holding bundled libraries (bytedeco's OpenBLAS, the
 *                    optional CUDA redist)
 * @param systemLoader whether to end with the system loader's own search (dlopen by soname)
 */
public record SearchEnvironment(Map<String, String> properties, Map<String, String> env, Path home,
                                List<Path> prefixes, List<Path> classpath, boolean systemLoader) {

    public SearchEnvironment {
        properties = Map.copyOf(properties);
        env = Map.copyOf(env);
        prefixes = List.copyOf(prefixes);
        classpath = List.copyOf(classpath);
    }

    /** The running JVM's environment. */
    public static SearchEnvironment current() {
        Map<String, String> props = new java.util.HashMap<>();
        System.getProperties().forEach((k, v) -> props.put(String.valueOf(k), String.valueOf(v)));
        List<Path> classpath = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                classpath.add(Path.of(entry));
            }
        }
        for (Path jar : resourceJars(SearchEnvironment.class.getClassLoader())) {
            if (!classpath.contains(jar)) classpath.add(jar);
        }
        return new SearchEnvironment(props, System.getenv(), Path.of(System.getProperty("user.home")),
                systemPrefixes(Path.of("/opt")), classpath, true);
    }

    /**
     * The jars that {@code loader} finds a bundled library in (a bytedeco jar, or a shaded jar holding
     * one), whatever {@code java.class.path} says: under a test runner's manifest-only jar, or a custom
     * class loader, the class path property does not list them.
     */
    static List<Path> resourceJars(ClassLoader loader) {
        List<Path> out = new ArrayList<>();
        if (loader == null) return out;
        for (Lib lib : Lib.values()) {
            for (String soname : lib.sonames()) {
                try {
                    var urls = loader.getResources(lib.jarDir() + "/" + soname);
                    while (urls.hasMoreElements()) {
                        String url = urls.nextElement().toString();
                        int bang = url.indexOf("!/");
                        if (!url.startsWith("jar:file:") || bang < 0) continue;
                        Path jar = Path.of(java.net.URI.create(url.substring("jar:".length(), bang)));
                        if (!out.contains(jar)) out.add(jar);
                    }
                } catch (java.io.IOException | IllegalArgumentException e) {
                    // an unreadable class-path entry: nothing bundled to find there
                }
            }
        }
        return out;
    }

    /**
     * /usr/local, /usr, /opt/conda, and the virtual environments of applications installed under
     * {@code opt} ({@code /opt/<app>/.venv} or {@code /opt/<app>/venv}), where a machine's PyTorch and
     * its NVIDIA wheels often live.
     */
    static List<Path> systemPrefixes(Path opt) {
        List<Path> out = new ArrayList<>(List.of(Path.of("/usr/local"), Path.of("/usr"), opt.resolve("conda")));
        try (var apps = java.nio.file.Files.list(opt)) {
            for (Path app : apps.sorted().toList()) {
                for (String venv : List.of(".venv", "venv")) {
                    if (java.nio.file.Files.isDirectory(app.resolve(venv).resolve("lib"))) out.add(app.resolve(venv));
                }
            }
        } catch (java.io.IOException | SecurityException e) {
            // no readable /opt: nothing more to search there
        }
        return List.copyOf(out);
    }

    String property(String key) {
        return properties.getOrDefault(key, "");
    }

    String env(String key) {
        return env.getOrDefault(key, "");
    }
}
