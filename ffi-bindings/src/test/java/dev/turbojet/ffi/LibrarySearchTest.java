package dev.turbojet.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarOutputStream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The search order and the failure message, against temporary folders holding fake library files. */
class LibrarySearchTest {
    @TempDir
    Path tmp;

    private SearchEnvironment env(Map<String, String> props, Map<String, String> vars, List<Path> classpath) {
        return new SearchEnvironment(props, vars, tmp.resolve("home"), List.of(tmp.resolve("usr")), classpath, false);
    }

    private Path touch(String relative) throws IOException {
        Path p = tmp.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, "not really a library");
        return p;
    }

    private static List<Path> existing(List<Candidate> candidates) {
        return candidates.stream().filter(c -> !c.isSystemLoader() && Files.exists(c.file())).map(Candidate::file).toList();
    }

    @Test
    void applicationVirtualEnvironmentsUnderOptAreSystemPrefixes() throws Exception {
        Path opt = tmp.resolve("opt");
        java.nio.file.Files.createDirectories(opt.resolve("torch/.venv/lib/python3.12/site-packages"));
        java.nio.file.Files.createDirectories(opt.resolve("tool/venv/lib"));
        java.nio.file.Files.createDirectories(opt.resolve("plain/lib"));
        List<Path> prefixes = SearchEnvironment.systemPrefixes(opt);
        org.junit.jupiter.api.Assertions.assertTrue(prefixes.contains(opt.resolve("torch/.venv")), prefixes.toString());
        org.junit.jupiter.api.Assertions.assertTrue(prefixes.contains(opt.resolve("tool/venv")), prefixes.toString());
        org.junit.jupiter.api.Assertions.assertFalse(prefixes.contains(opt.resolve("plain")), prefixes.toString());
        org.junit.jupiter.api.Assertions.assertEquals(List.of(), SearchEnvironment.systemPrefixes(tmp.resolve("none")).subList(3, 3));
    }

    @Test
    void explicitPropertyComesFirstThenEnvironment() throws IOException {
        Path prop = touch("explicit/libcublasLt.so.13");
        Path envDir = touch("fromenv/libcublasLt.so.12").getParent();
        List<Candidate> c = new LibrarySearch(env(Map.of(Lib.CUBLAS_LT.property(), prop.toString()),
                Map.of("TURBOJET_CUBLASLT", envDir.toString()), List.of())).candidates(Lib.CUBLAS_LT);
        assertEquals(prop, c.get(0).file());
        assertEquals("property turbojet.cuda.lib.cublasLt", c.get(0).origin());
        assertEquals(List.of(prop, envDir.resolve("libcublasLt.so.12")), existing(c));
        assertFalse(c.getLast().isSystemLoader());
        assertTrue(new LibrarySearch(SearchEnvironment.current()).candidates(Lib.CUBLAS_LT).getLast().isSystemLoader());
    }

    @Test
    void libPathAndCudaHomeInSonameOrder() throws IOException {
        Path a = touch("a/libnvrtc.so.12");
        Path b = touch("cuda/targets/x86_64-linux/lib/libnvrtc.so.13");
        Path c = touch("cuda/lib64/libnvrtc.so.12");
        List<Candidate> found = new LibrarySearch(env(Map.of(), Map.of("TURBOJET_LIB_PATH",
                tmp.resolve("nothing") + ":" + a.getParent(), "CUDA_HOME", tmp.resolve("cuda").toString()), List.of()))
                .candidates(Lib.NVRTC);
        assertEquals(List.of(a, c, b), existing(found));
    }

    @Test
    void findsPipWheelsInVirtualEnvUserAndSystemSitePackages() throws IOException {
        Path venv = touch("venv/lib/python3.12/site-packages/nvidia/cudnn/lib/libcudnn.so.9");
        Path user = touch("home/.local/lib/python3.11/site-packages/nvidia/cudnn/lib/libcudnn.so.9");
        Path system = touch("usr/lib/python3/dist-packages/nvidia/cudnn/lib/libcudnn.so.9");
        Path onPythonPath = touch("pp/nvidia/cudnn/lib/libcudnn.so.9");
        List<Candidate> found = new LibrarySearch(env(Map.of(), Map.of("VIRTUAL_ENV", tmp.resolve("venv").toString(),
                "PYTHONPATH", tmp.resolve("pp").toString()), List.of())).candidates(Lib.CUDNN);
        assertEquals(List.of(onPythonPath, venv, user, system), existing(found));
        assertTrue(found.stream().filter(x -> x.file() != null && x.file().equals(venv)).allMatch(x -> x.origin().equals("pip wheel")));
    }

    @Test
    void cuda13WheelsShareOneFolder() throws IOException {
        Path lt = touch("venv/lib/python3.13/site-packages/nvidia/cu13/lib/libcublasLt.so.13");
        Path old = touch("venv/lib/python3.13/site-packages/nvidia/cublas/lib/libcublasLt.so.12");
        List<Candidate> found = new LibrarySearch(env(Map.of(), Map.of("VIRTUAL_ENV", tmp.resolve("venv").toString()),
                List.of())).candidates(Lib.CUBLAS_LT);
        assertEquals(List.of(lt, old), existing(found));
    }

    @Test
    void driverIsNeverTakenFromToolkitOrWheels() throws IOException {
        touch("cuda/lib64/libcuda.so.1");
        touch("cuda/lib64/stubs/libcuda.so");
        List<Candidate> found = new LibrarySearch(env(Map.of(), Map.of("CUDA_HOME", tmp.resolve("cuda").toString()),
                List.of())).candidates(Lib.CUDA);
        assertEquals(List.of(), existing(found));
        assertTrue(found.stream().allMatch(c -> c.soname().equals("libcuda.so.1")));
    }

    @Test
    void findsBytedecoCacheAndJars() throws IOException {
        Path cached = touch("home/.javacpp/cache/cuda-13.0-9.14-1.5.13-linux-x86_64.jar/org/bytedeco/cuda/linux-x86_64/libcudnn.so.9");
        Path jar = tmp.resolve("lib/cuda-13.0-9.14-1.5.13-linux-x86_64-redist.jar");
        Files.createDirectories(jar.getParent());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (String name : List.of("libcudnn.so.9", "libcudnn_cnn.so.9")) {
                out.putNextEntry(new ZipEntry(LibrarySearch.BYTEDECO_DIR + "/" + name));
                out.write(name.getBytes());
                out.closeEntry();
            }
        }
        List<Candidate> found = new LibrarySearch(env(Map.of(), Map.of(), List.of(jar, tmp.resolve("classes"))))
                .candidates(Lib.CUDNN);
        assertEquals(List.of(cached), existing(found));
        Candidate inJar = found.stream().filter(c -> c.jar() != null).findFirst().orElseThrow();
        assertEquals(jar, inJar.jar());
        NativeLibraries.extract(jar, LibrarySearch.BYTEDECO_DIR, inJar.file().getParent());
        assertEquals("libcudnn_cnn.so.9", Files.readString(inJar.file().resolveSibling("libcudnn_cnn.so.9")));
    }

    @Test
    void failureListsEveryPlaceTried() throws IOException {
        Path broken = touch("broken/libcudnn.so.9");
        NativeLibraryException e = assertThrows(NativeLibraryException.class, () -> NativeLibraries.load(Lib.CUDNN,
                env(Map.of(Lib.CUDNN.property(), broken.toString()), Map.of("TURBOJET_LIB_PATH", "/nonexistent/dir"),
                        List.of())));
        String message = e.getMessage();
        assertEquals(Lib.CUDNN, e.lib());
        assertTrue(message.startsWith("cannot load CUDNN (libcudnn.so.9)"), message);
        assertTrue(message.contains(broken + " [property turbojet.cuda.lib.cudnn]: "), message);
        assertTrue(message.contains("/nonexistent/dir/libcudnn.so.9 [env TURBOJET_LIB_PATH]: absent"), message);
        assertTrue(message.contains("/usr/local/cuda/lib64/libcudnn.so.9 [CUDA toolkit]"), message);
        assertFalse(message.contains("dlopen("), message);
    }
}
