package dev.turbojet;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Keeps the package map true: every main package of every module has a package-info.java whose
 * last paragraph, "May depend on: {@code a}, {@code b}.", lists the turbojet packages it may use;
 * every import and qualified name in its code (comments and string literals aside) stays inside
 * that list; and README.md's Layout table says the same as the package-info files.
 */
class PackageMapTest {
    static final List<String> MODULES = List.of("ffi-bindings", "kernels", "engine-core", "bench");
    static final String ROOT_PACKAGE = "dev.turbojet";
    private static final Pattern QUALIFIED = Pattern.compile("\\bdev\\.turbojet((?:\\.[a-z_]\\w*)*)\\.(?:[A-Z]\\w*|\\*)");
    private static final Pattern PACKAGE = Pattern.compile("\\bpackage\\s+(dev\\.turbojet(?:\\.\\w+)*)\\s*;");
    private static final Pattern CODE_NAME = Pattern.compile("\\{@code\\s+([\\w.]+)}");
    private static final Pattern README_ROW = Pattern.compile("^\\| `([\\w.]+)` \\|.*\\| ([^|]+) \\|$");

    @Test
    void everyImportIsOneThePackageMapAllows() {
        Map<String, Set<String>> allowed = packageInfos();
        List<String> violations = new ArrayList<>();
        for (Path file : mainSources()) {
            if (file.getFileName().toString().equals("package-info.java")) continue;
            violations.addAll(violations(repoRoot().relativize(file).toString(), read(file), allowed));
        }
        if (!violations.isEmpty()) {
            fail(violations.size() + " reference(s) the package map does not allow (change the code, or the "
                    + "package's package-info.java and README.md's Layout table together):\n  "
                    + String.join("\n  ", violations));
        }
    }

    @Test
    void readmeLayoutTableMatchesThePackageInfos() {
        Map<String, Set<String>> readme = new TreeMap<>();
        for (String line : read(repoRoot().resolve("README.md")).split("\n")) {
            Matcher m = README_ROW.matcher(line);
            if (!m.matches()) continue;
            Set<String> deps = new TreeSet<>();
            for (String d : m.group(2).split(",")) {
                String name = d.strip().replace("`", "");
                if (!name.equals("—")) deps.add(name);
            }
            readme.put(m.group(1), deps);
        }
        assertEquals(relative(packageInfos()), readme, "README.md's package table (left: the package-info files)");
    }

    /** The checker itself: an io class importing ops, or naming nn inline, is reported with file and import. */
    @Test
    void anUpwardImportIsReported() {
        Map<String, Set<String>> allowed = Map.of(ROOT_PACKAGE + ".io", Set.of(ROOT_PACKAGE + ".tensor"));
        String source = """
                package dev.turbojet.io;

                import dev.turbojet.tensor.Shape;
                import dev.turbojet.ops.Ops;
                import static dev.turbojet.ops.Act.SILU;

                /** Mentions {@link dev.turbojet.pipeline.SdxlPipeline} in a comment only. */
                final class Bad {
                    String s = "dev.turbojet.cli.Main";
                    dev.turbojet.nn.Weights w;
                }
                """;
        List<String> found = violations("io/Bad.java", source, allowed);
        assertEquals(3, found.size(), () -> String.join("\n", found));
        assertTrue(found.get(0).startsWith("io/Bad.java: dev.turbojet.ops.Ops "), found.get(0));
        assertTrue(found.get(1).contains("dev.turbojet.ops.Act"), found.get(1));
        assertTrue(found.get(2).contains("dev.turbojet.nn.Weights"), found.get(2));
        assertTrue(violations("io/Good.java", "package dev.turbojet.io;\nimport dev.turbojet.tensor.Shape;\n", allowed).isEmpty());
    }

    /** One line per reference from {@code source}'s package to one that {@code allowed} does not list for it. */
    static List<String> violations(String file, String source, Map<String, Set<String>> allowed) {
        String code = codeOnly(source);
        Matcher p = PACKAGE.matcher(code);
        if (!p.find()) return List.of(file + ": no package declaration under " + ROOT_PACKAGE);
        String own = p.group(1);
        Set<String> mayUse = allowed.get(own);
        if (mayUse == null) return List.of(file + ": package " + own + " has no package-info.java saying what it may depend on");
        List<String> out = new ArrayList<>();
        Matcher m = QUALIFIED.matcher(code);
        while (m.find()) {
            String target = ROOT_PACKAGE + m.group(1);
            if (target.equals(own) || mayUse.contains(target)) continue;
            out.add(file + ": " + m.group() + " (" + own + " may depend on " + mayUse + ")");
        }
        return out;
    }

    /** {@code source} with comments, string and char literals and text blocks blanked, line breaks kept. */
    static String codeOnly(String source) {
        StringBuilder out = new StringBuilder(source.length());
        int i = 0, n = source.length();
        while (i < n) {
            char c = source.charAt(i);
            String end = null;
            if (source.startsWith("//", i)) end = "\n";
            else if (source.startsWith("/*", i)) end = "*/";
            else if (source.startsWith("\"\"\"", i)) end = "\"\"\"";
            else if (c == '"' || c == '\'') end = String.valueOf(c);
            if (end == null) {
                out.append(c);
                i++;
                continue;
            }
            int j = i + (end.equals("\"\"\"") ? 3 : end.equals("*/") ? 2 : 1);
            while (j < n && !source.startsWith(end, j)) j += source.charAt(j) == '\\' && !end.equals("\n") && !end.equals("*/") ? 2 : 1;
            j = Math.min(n, j + (end.equals("\n") ? 0 : end.length()));
            for (int k = i; k < j; k++) out.append(source.charAt(k) == '\n' ? '\n' : ' ');
            i = j;
        }
        return out.toString();
    }

    /** Each main package's allowed dependencies, as its package-info.java lists them (full names). */
    static Map<String, Set<String>> packageInfos() {
        Map<String, Set<String>> out = new TreeMap<>();
        List<String> missing = new ArrayList<>();
        Set<Path> dirs = new TreeSet<>();
        for (Path f : mainSources()) dirs.add(f.getParent());
        for (Path dir : dirs) {
            Path info = dir.resolve("package-info.java");
            if (!Files.exists(info)) {
                missing.add(repoRoot().relativize(dir).toString());
                continue;
            }
            String text = read(info);
            Matcher p = PACKAGE.matcher(codeOnly(text));
            int at = text.indexOf("May depend on:");
            int close = text.indexOf("*/", Math.max(at, 0));
            if (!p.find() || at < 0 || close < 0) {
                missing.add(repoRoot().relativize(info) + " (no \"May depend on:\" paragraph)");
                continue;
            }
            Set<String> deps = new TreeSet<>();
            Matcher m = CODE_NAME.matcher(text.substring(at, close));
            while (m.find()) deps.add(ROOT_PACKAGE + "." + m.group(1));
            out.put(p.group(1), deps);
        }
        if (!missing.isEmpty()) fail("packages without a package-info.java saying what they may depend on:\n  " + String.join("\n  ", missing));
        return out;
    }

    private static Map<String, Set<String>> relative(Map<String, Set<String>> full) {
        Map<String, Set<String>> out = new TreeMap<>();
        full.forEach((pkg, deps) -> {
            Set<String> names = new TreeSet<>();
            for (String d : deps) names.add(d.substring(ROOT_PACKAGE.length() + 1));
            out.put(pkg.substring(ROOT_PACKAGE.length() + 1), names);
        });
        return out;
    }

    private static List<Path> mainSources() {
        List<Path> out = new ArrayList<>();
        for (String module : MODULES) {
            Path src = repoRoot().resolve(module).resolve("src/main/java");
            assertTrue(Files.isDirectory(src), "no " + src);
            try (Stream<Path> files = Files.walk(src)) {
                files.filter(f -> f.toString().endsWith(".java")).sorted().forEach(out::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    /** The checkout: the first folder at or above the working directory holding every module. */
    private static Path repoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path here = p;
            if (MODULES.stream().allMatch(m -> Files.isDirectory(here.resolve(m)))) return p;
        }
        throw new AssertionError("no folder above " + Path.of("").toAbsolutePath() + " holds " + MODULES);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
