package dev.turbojet.ffi;

import static java.util.stream.Collectors.joining;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.AddressLayout;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The machinery of {@link HeaderAuditTest} (whose tables say what each Java value is in C): reads the
 * bindings' values by reflection, writes a C++ program that prints what NVIDIA's headers say about the
 * same things, compiles it with g++ against the real headers, runs it and compares.
 *
 * <p>The program prints one line per item: {@code fact I VALUE} (a C++ constant expression),
 * {@code name I SYMBOL} (an API name after the preprocessor: CUDA 13 maps e.g. {@code cuMemAlloc} to
 * {@code cuMemAlloc_v2}) and {@code sig I R P1 P2 ...} (a function's return and parameter types, each as
 * its class and size: {@code P8} pointer, {@code I4} 4-byte integer or enum, {@code F4} float,
 * {@code S16} struct, {@code V0} void).
 */
final class HeaderAudit {
    static final String PACKAGE = "dev.turbojet.ffi.";

    /** One value the bindings rely on, and the C++ constant expression the headers must give it. */
    record Fact(String java, long value, String c) {}

    /**
     * A number a binding reads back through a pointer parameter: parameter {@code param} (from 1) of
     * {@code symbol} is read with layout {@code read} ({@code java} says where).
     */
    record OutParam(String java, String symbol, int param, ValueLayout read) {
        /** Two facts: what the parameter points at has the size of {@code read}, and is floating point iff it is. */
        List<Fact> facts() {
            String where = java + " reads parameter " + param + " of " + symbol + " as " + layoutName(read);
            String pointee = "AUDIT_POINTEE(" + symbol + ", " + param + ")";
            boolean floating = read.carrier() == float.class || read.carrier() == double.class;
            return List.of(new Fact(where + ": size", read.byteSize(), "sizeof(" + pointee + ")"),
                    new Fact(where + ": floating point", floating ? 1 : 0, "std::is_floating_point_v<" + pointee + ">"));
        }
    }

    /** A naming rule that applies to nothing: every constant of that enum field needs an override. */
    static final UnaryOperator<String> OVERRIDES_ONLY = name -> null;

    /** Where each Java value comes from in C, as {@link HeaderAuditTest} tabulates it. */
    record Tables(
            Map<String, List<String>> constants,
            Map<String, String> fieldPrefixes,
            Map<String, String> notFromHeaders,
            Map<String, Map<String, UnaryOperator<String>>> enumRules,
            Map<String, String> enumOverrides) {}

    /** The facts to check, and what could not be mapped (each a message saying how to fix the table). */
    record Collected(List<Fact> facts, List<String> problems) {}

    /** What the generated program printed, by item index; {@code versions} names the headers' versions. */
    record COutput(List<Long> facts, List<String> names, List<String> signatures, String versions) {}

    private HeaderAudit() {}

    // ---------------------------------------------------------------- the Java side

    /** target/classes of this module (where Native.class was loaded from). */
    static Path classesDir() {
        try {
            Path dir = Path.of(Native.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isDirectory(dir)) {
                throw new IllegalStateException("the header audit scans ffi-bindings' classes folder, not " + dir);
            }
            return dir;
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every class under dev/turbojet/ffi in target/classes, initialised (so each binding's downcalls are declared). */
    static List<Class<?>> bindingClasses() {
        Path classes = classesDir();
        try (Stream<Path> files = Files.walk(classes.resolve(PACKAGE.replace('.', '/')))) {
            List<String> names = files.map(p -> classes.relativize(p).toString())
                    .filter(p -> p.endsWith(".class") && !p.endsWith("package-info.class"))
                    .map(p -> p.substring(0, p.length() - ".class".length()).replace('/', '.'))
                    .sorted().toList();
            List<Class<?>> loaded = new ArrayList<>();
            for (String name : names) {
                loaded.add(Class.forName(name, true, HeaderAudit.class.getClassLoader()));
            }
            return loaded;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code cudnn.Attribute.Type} for dev.turbojet.ffi.cudnn.Attribute$Type. */
    static String shortName(Class<?> c) {
        return c.getName().substring(PACKAGE.length()).replace('$', '.');
    }

    private static boolean isInteger(Class<?> t) {
        return t == int.class || t == long.class || t == short.class || t == byte.class;
    }

    private static long read(Field f, Object target) {
        try {
            f.setAccessible(true);
            return ((Number) f.get(target)).longValue();
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every integer {@code static final} field of the classes, as {@code cuda.CudaDriver.ATTR_SM_COUNT -> 16}. */
    static Map<String, Long> staticConstants(List<Class<?>> classes) {
        Map<String, Long> out = new TreeMap<>();
        for (Class<?> c : classes) {
            for (Field f : c.getDeclaredFields()) {
                int m = f.getModifiers();
                if (Modifier.isStatic(m) && Modifier.isFinal(m) && !f.isSynthetic() && isInteger(f.getType())) {
                    out.put(shortName(c) + "." + f.getName(), read(f, null));
                }
            }
        }
        return out;
    }

    /** Every integer instance field of every enum constant, as {@code cudnn.Attribute.TENSOR_UNIQUE_ID.value -> 906}. */
    static Map<String, Long> enumValues(List<Class<?>> classes) {
        Map<String, Long> out = new TreeMap<>();
        for (Class<?> c : classes) {
            if (!c.isEnum()) {
                continue;
            }
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) || f.isSynthetic() || !isInteger(f.getType())) {
                    continue;
                }
                for (Object constant : c.getEnumConstants()) {
                    out.put(shortName(c) + "." + ((Enum<?>) constant).name() + "." + f.getName(), read(f, constant));
                }
            }
        }
        return out;
    }

    /** Maps every value the classes hold to its C expression; what has no mapping becomes a problem. */
    static Collected collect(List<Class<?>> classes, Tables t) {
        List<Fact> facts = new ArrayList<>();
        Set<String> problems = new LinkedHashSet<>();
        Set<String> used = new LinkedHashSet<>();
        staticConstants(classes).forEach((key, value) -> {
            List<String> c = t.constants().get(key);
            if (c == null) {
                c = t.fieldPrefixes().entrySet().stream().filter(e -> key.startsWith(e.getKey()))
                        .map(e -> List.of(e.getValue() + key.substring(e.getKey().length()))).findFirst().orElse(null);
            }
            if (c != null) {
                used.add(key);
                c.forEach(expr -> facts.add(new Fact(key, value, expr)));
            } else if (t.notFromHeaders().containsKey(key)) {
                used.add(key);
            } else {
                problems.add(key + " = " + value + " is not audited: add it to HeaderAuditTest.CONSTANTS with the C"
                        + " expression it must equal (or to NOT_FROM_HEADERS, saying why it is no header value)");
            }
        });
        enumValues(classes).forEach((key, value) -> {
            int field = key.lastIndexOf('.');
            int constant = key.lastIndexOf('.', field - 1);
            String enumClass = key.substring(0, constant);
            String fieldName = key.substring(field + 1);
            String name = key.substring(constant + 1, field);
            Map<String, UnaryOperator<String>> rules = t.enumRules().get(enumClass);
            if (rules == null || !rules.containsKey(fieldName)) {
                problems.add("enum field " + enumClass + "." + fieldName + " is not audited: add it to"
                        + " HeaderAuditTest.ENUMS with its naming rule (e.g. name -> \"CUDNN_ATTR_\" + name)");
                return;
            }
            String c = t.enumOverrides().containsKey(key) ? t.enumOverrides().get(key) : rules.get(fieldName).apply(name);
            if (c == null) {
                problems.add(key + " = " + value + " has no C name: add \"" + key + "\" to"
                        + " HeaderAuditTest.ENUM_OVERRIDES with the C expression it must equal");
                return;
            }
            used.add(key);
            facts.add(new Fact(key, value, c));
        });
        Stream.of(t.constants().keySet(), t.notFromHeaders().keySet(), t.enumOverrides().keySet())
                .flatMap(Set::stream).filter(k -> !used.contains(k))
                .forEach(k -> problems.add("HeaderAuditTest has an entry for " + k + ", which the bindings no longer"
                        + " have: remove it"));
        return new Collected(facts, List.copyOf(problems));
    }

    // ---------------------------------------------------------------- the headers

    /** The g++ -I flags for cuda.h, cublasLt.h, cudnn.h and nvrtc.h, or why they cannot be found. */
    record Headers(List<String> flags, String missing) {}

    /** Runs {@code src/test/cuda-emulator/nvidia-headers.sh} (which unzips NVIDIA's wheels into {@code cache}). */
    static Headers findHeaders(Path moduleDir, Path cache) {
        Path script = moduleDir.resolve("src/test/cuda-emulator/nvidia-headers.sh");
        List<String> flags = new ArrayList<>();
        try {
            Files.createDirectories(cache);
            Process p = new ProcessBuilder("bash", script.toString(), cache.toString()).start();
            byte[] stdout = p.getInputStream().readAllBytes();
            String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return new Headers(List.of(), stderr.isEmpty() ? script + " failed" : stderr.lines().findFirst().get());
            }
            for (String f : new String(stdout, StandardCharsets.UTF_8).strip().split("\\s+")) {
                if (!f.isEmpty()) {
                    flags.add(f);
                }
            }
        } catch (IOException e) {
            return new Headers(List.of(), "cannot run " + script + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Headers(List.of(), "interrupted");
        }
        // The script finds nvrtc.h only where it can (the emulator does without it); the audit needs it.
        if (flags.stream().noneMatch(f -> Files.isRegularFile(Path.of(f.substring(2), "nvrtc.h")))) {
            return new Headers(List.of(), "NVIDIA headers not found: nvrtc.h (" + script.getFileName() + " looks in the"
                    + " CUDA toolkit, /usr/include, pip site-packages and the nvidia_cuda_nvrtc-13 wheel)");
        }
        return new Headers(flags, null);
    }

    /** Whether g++ runs here, or why not. */
    static Optional<String> gppMissing() {
        try {
            Process p = new ProcessBuilder("g++", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? Optional.empty()
                    : Optional.of("g++ --version failed");
        } catch (IOException e) {
            return Optional.of("g++ is not available: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }

    // ---------------------------------------------------------------- the C++ program

    /** The base API name of a versioned symbol: {@code cuMemAlloc_v2 -> cuMemAlloc}. */
    static String baseName(String symbol) {
        return symbol.replaceFirst("_v\\d+$", "");
    }

    private static final String DESCRIBE_H = """
            // Generated by HeaderAuditTest. The class and size of C types, and the preprocessor's view of a name.
            #pragma once
            #include <cstdio>
            #include <cstddef>
            #include <string>
            #include <tuple>
            #include <type_traits>
            // P pointer, F floating point, I integer or enum, S struct/union, V void; then sizeof.
            template <class T> std::string describe() {
                if constexpr (std::is_void_v<T>) {
                    return "V0";
                } else {
                    const char* kind = std::is_pointer_v<T> ? "P" : std::is_floating_point_v<T> ? "F"
                            : (std::is_integral_v<T> || std::is_enum_v<T>) ? "I" : "S";
                    return kind + std::to_string(sizeof(T));
                }
            }
            // Prints "sig INDEX RETURN PARAM...": a function pointer type's return and parameter types.
            template <class R, class... A> void signature(int index, R (*)(A...)) {
                std::string s = describe<R>();
                ((s += " " + describe<A>()), ...);
                std::printf("sig %d %s\\n", index, s.c_str());
            }
            template <class R, class... A> void signature(int index, R (*f)(A...) noexcept) {
                signature(index, static_cast<R (*)(A...)>(f));
            }
            // The type that parameter N (from 1) of function f points at: AUDIT_POINTEE(cuMemAlloc_v2, 1) is CUdeviceptr.
            template <std::size_t N, class F> struct audit_param;
            template <std::size_t N, class R, class... A> struct audit_param<N, R (*)(A...)> {
                using type = std::tuple_element_t<N - 1, std::tuple<A...>>;
            };
            template <std::size_t N, class R, class... A> struct audit_param<N, R (*)(A...) noexcept>
                    : audit_param<N, R (*)(A...)> {};
            #define AUDIT_POINTEE(f, n) std::remove_pointer_t<typename audit_param<n, decltype(&f)>::type>
            // The name after macro expansion (cuda.h maps API names to versioned symbols).
            #define AUDIT_STR2(x) #x
            #define AUDIT_STR(x) AUDIT_STR2(x)
            """;

    /**
     * The program's two translation units: {@code main.cpp} (every fact, every name, the signature of every
     * symbol Java binds) and {@code legacy.cpp}, which sees cuda.h's declarations of the older, unversioned
     * entry points ({@code __CUDA_API_VERSION_INTERNAL}) for the symbols in {@code legacy}.
     */
    static Map<String, String> sources(List<Fact> facts, List<Native.Declared> calls, Set<String> legacy) {
        StringBuilder main = new StringBuilder("""
                // Generated by HeaderAuditTest: what NVIDIA's headers say about each value and function turbojet's
                // Java bindings assume. One line per item; the test compares them with the Java side.
                #include <cuda.h>
                #include <cuda_fp16.h>
                #include <cuda_bf16.h>
                #include <cublasLt.h>
                #include <cudnn.h>
                #include <nvrtc.h>
                #include <cstddef>
                #include <cstdint>
                #include "describe.h"

                // The bindings bind CUDA 13's driver API, cuBLAS 13 and cuDNN 9 (their symbol names and enum values).
                static_assert(CUDA_VERSION >= 13000, "cuda.h is older than CUDA 13.0");
                static_assert(CUBLAS_VER_MAJOR >= 13, "cublasLt.h is older than cuBLAS 13");
                static_assert(CUDNN_MAJOR >= 9, "cudnn.h is older than cuDNN 9");

                void legacy_signatures();

                int main() {
                    std::printf("versions CUDA %d, cuBLAS %d, cuDNN %d\\n", (int) CUDA_VERSION, (int) CUBLAS_VERSION,
                            (int) CUDNN_VERSION);
                """);
        for (int i = 0; i < facts.size(); i++) {
            Fact f = facts.get(i);
            main.append("    std::printf(\"fact %d %lld\\n\", ").append(i).append(", (long long) (").append(f.c())
                    .append(")); // ").append(f.java()).append('\n');
        }
        StringBuilder old = new StringBuilder("""
                // Generated by HeaderAuditTest. cuda.h declares the older entry points (those its macros no longer
                // select, e.g. cuEventElapsedTime beside cuEventElapsedTime_v2) only for __CUDA_API_VERSION_INTERNAL.
                #define __CUDA_API_VERSION_INTERNAL 1
                #include <cuda.h>
                #include "describe.h"

                void legacy_signatures() {
                """);
        for (int i = 0; i < calls.size(); i++) {
            Native.Declared d = calls.get(i);
            main.append("    std::printf(\"name %d %s\\n\", ").append(i).append(", AUDIT_STR(").append(baseName(d.name()))
                    .append("));\n");
            String line = "    signature(" + i + ", (decltype(&" + d.name() + ")) nullptr); // " + d.lib() + " "
                    + d.descriptor() + "\n";
            (legacy.contains(d.name()) ? old : main).append(line);
        }
        main.append("    legacy_signatures();\n}\n");
        old.append("}\n");
        Map<String, String> out = new LinkedHashMap<>();
        out.put("describe.h", DESCRIBE_H);
        out.put("main.cpp", main.toString());
        out.put("legacy.cpp", old.toString());
        return out;
    }

    /** Writes the program into {@code dir}, compiles it (one g++ run) and runs it; a compile error fails, explained. */
    static COutput compileAndRun(Path dir, List<String> flags, List<Fact> facts, List<Native.Declared> calls,
                                 Set<String> legacy) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        for (Map.Entry<String, String> e : sources(facts, calls, legacy).entrySet()) {
            Files.writeString(dir.resolve(e.getKey()), e.getValue());
        }
        List<String> gpp = new ArrayList<>(List.of("g++", "-std=c++17", "-O0", "-w"));
        gpp.addAll(flags);
        gpp.addAll(List.of("main.cpp", "legacy.cpp", "-o", "header-audit"));
        String log = run(dir, gpp, 180);
        if (log.startsWith("!")) {
            throw new AssertionError("the generated header-audit program (" + dir.resolve("main.cpp") + ") does not"
                    + " compile:\n" + explainCompileErrors(log.substring(1), facts, calls));
        }
        String out = run(dir, List.of(dir.resolve("header-audit").toString()), 60);
        if (out.startsWith("!")) {
            throw new AssertionError("the header-audit program failed:\n" + out.substring(1));
        }
        return parse(out, facts.size(), calls.size());
    }

    /** Runs a command; its output, or "!" and its output when it fails. */
    private static String run(Path dir, List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("LC_ALL", "C"); // g++'s messages in ASCII quotes, as explainCompileErrors reads them
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "!" + String.join(" ", command) + " timed out\n" + out;
        }
        return p.exitValue() == 0 ? out : "!" + String.join(" ", command) + " exited " + p.exitValue() + "\n" + out;
    }

    static COutput parse(String out, int factCount, int callCount) {
        List<Long> facts = new ArrayList<>(java.util.Collections.nCopies(factCount, (Long) null));
        List<String> names = new ArrayList<>(java.util.Collections.nCopies(callCount, (String) null));
        List<String> sigs = new ArrayList<>(java.util.Collections.nCopies(callCount, (String) null));
        String versions = "";
        for (String line : out.lines().toList()) {
            String[] w = line.split(" ", 3);
            switch (w[0]) {
                case "versions" -> versions = line.substring("versions ".length());
                case "fact" -> facts.set(Integer.parseInt(w[1]), Long.parseLong(w[2].strip()));
                case "name" -> names.set(Integer.parseInt(w[1]), w[2].strip());
                case "sig" -> sigs.set(Integer.parseInt(w[1]), w[2].strip());
                default -> throw new IllegalStateException("unexpected output line: " + line);
            }
        }
        return new COutput(facts, names, sigs, versions);
    }

    /** Names, for each identifier g++ did not know, the Java items that led the program to use it. */
    static String explainCompileErrors(String log, List<Fact> facts, List<Native.Declared> calls) {
        // g++ quotes 'like this' in the C locale, \u2018like this\u2019 in a UTF-8 one.
        Matcher m = Pattern.compile("has no member named ['\u2018](\\w+)['\u2019]|['\u2018](\\w+)['\u2019]"
                + " (?:was not declared in this scope|has not been declared|does not name a type|is not a member of)")
                .matcher(log);
        Set<String> unknown = new LinkedHashSet<>();
        while (m.find()) {
            unknown.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
        StringBuilder sb = new StringBuilder();
        for (String id : unknown) {
            Pattern word = Pattern.compile("\\b" + Pattern.quote(id) + "\\b");
            for (Fact f : facts) {
                if (word.matcher(f.c()).find()) {
                    sb.append("  ").append(f.java()).append(" = ").append(f.value()).append(" maps to ").append(f.c())
                            .append(", but the headers do not declare '").append(id).append("': fix its C expression in")
                            .append(" HeaderAuditTest's tables (or the binding)\n");
                }
            }
            for (Native.Declared d : calls) {
                if (d.name().equals(id)) {
                    sb.append("  ").append(d.lib()).append(" binds ").append(id).append(", which the headers do not")
                            .append(" declare: fix the symbol name in the binding\n");
                }
            }
        }
        List<String> lines = log.lines().filter(l -> l.contains("error")).limit(30).toList();
        return sb + "g++ said:\n  " + String.join("\n  ", lines.isEmpty() ? log.lines().limit(30).toList() : lines);
    }

    // ---------------------------------------------------------------- the comparison

    /** One message per fact whose Java value differs from the header's. */
    static List<String> compareFacts(List<Fact> facts, List<Long> cValues) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < facts.size(); i++) {
            Fact f = facts.get(i);
            Long c = cValues.get(i);
            if (c == null) {
                out.add(f.java() + ": the program printed nothing for " + f.c());
            } else if (c != f.value()) {
                out.add(f.java() + " = " + f.value() + ", but " + f.c() + " = " + c + " in the headers");
            }
        }
        return out;
    }

    /**
     * One message per downcall whose symbol is not the one the header maps its API name to, or whose
     * signature differs from the header's prototype. {@code exceptions} are symbols bound on purpose
     * although the header maps their name elsewhere (symbol -> why); their signature is the legacy one.
     */
    static List<String> compareDowncalls(List<Native.Declared> calls, Map<String, String> exceptions,
                                         List<String> names, List<String> signatures) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            Native.Declared d = calls.get(i);
            String base = baseName(d.name());
            String mapped = names.get(i);
            String where = d.lib() + " " + d.name();
            if (exceptions.containsKey(d.name())) {
                if (d.name().equals(mapped)) {
                    out.add(where + " is listed in HeaderAuditTest.UNVERSIONED_FALLBACKS, but the header now maps "
                            + base + " to it: remove the entry");
                } else if (calls.stream().noneMatch(o -> o.lib() == d.lib() && o.name().equals(mapped))) {
                    out.add(where + " is bound as a fallback (" + exceptions.get(d.name()) + "), but " + mapped
                            + ", the symbol the header maps " + base + " to, is not bound");
                }
            } else if (!d.name().equals(mapped)) {
                out.add(where + ": the header maps " + base + " to " + mapped + ", so the binding should bind " + mapped
                        + " (or, if " + d.name() + " is deliberate, list it in HeaderAuditTest.UNVERSIONED_FALLBACKS"
                        + " with the reason)");
            }
            String mismatch = compareSignature(d.descriptor(), signatures.get(i));
            if (mismatch != null) {
                out.add(where + mismatch);
            }
        }
        return out;
    }

    /** Null when the descriptor fits the C signature ("I4 P8 I8": return, then parameters), else why not. */
    static String compareSignature(FunctionDescriptor descriptor, String cSignature) {
        if (cSignature == null) {
            return ": the program printed no signature";
        }
        List<String> c = List.of(cSignature.split(" "));
        List<MemoryLayout> java = new ArrayList<>();
        java.add(descriptor.returnLayout().orElse(null));
        java.addAll(descriptor.argumentLayouts());
        String both = "\n    Java: " + javaText(descriptor) + "\n    C:    " + cText(c);
        if (java.size() != c.size()) {
            return ": " + (java.size() - 1) + " parameters in Java, " + (c.size() - 1) + " in the header" + both;
        }
        List<String> diffs = new ArrayList<>();
        for (int i = 0; i < c.size(); i++) {
            String j = code(java.get(i));
            if (!j.equals(c.get(i))) {
                diffs.add((i == 0 ? "return" : "parameter " + i) + " is " + layoutName(java.get(i)) + " in Java but "
                        + cName(c.get(i)) + " in the header");
            }
        }
        return diffs.isEmpty() ? null : ": " + String.join("; ", diffs) + both;
    }

    /** The class-and-size code of a Java layout, as the C side prints it (null: void). */
    static String code(MemoryLayout l) {
        if (l == null) {
            return "V0";
        }
        if (l instanceof AddressLayout) {
            return "P" + l.byteSize();
        }
        if (l instanceof ValueLayout v) {
            return (v.carrier() == float.class || v.carrier() == double.class ? "F" : "I") + v.byteSize();
        }
        return "S" + l.byteSize();
    }

    static String layoutName(MemoryLayout l) {
        if (l == null) {
            return "void";
        }
        if (l instanceof ValueLayout v) {
            Class<?> c = v.carrier();
            return c == MemorySegment.class ? "ADDRESS" : "JAVA_" + c.getSimpleName().toUpperCase();
        }
        return l.toString();
    }

    static String cName(String code) {
        String size = code.substring(1);
        String a = size.startsWith("8") ? "an " : "a ";
        return switch (code.charAt(0)) {
            case 'V' -> "void";
            case 'P' -> "a pointer";
            case 'F' -> size.equals("4") ? "float" : size.equals("8") ? "double" : a + size + "-byte floating type";
            case 'I' -> a + size + "-byte integer or enum";
            default -> a + size + "-byte struct";
        };
    }

    private static String javaText(FunctionDescriptor d) {
        return layoutName(d.returnLayout().orElse(null)) + " ("
                + d.argumentLayouts().stream().map(HeaderAudit::layoutName).collect(joining(", ")) + ")";
    }

    private static String cText(List<String> c) {
        return cName(c.get(0)) + " (" + c.stream().skip(1).map(HeaderAudit::cName).collect(joining(", ")) + ")";
    }
}
