package dev.turbojet.ffi;

import java.util.List;

/**
 * The native libraries turbojet calls, with the names they go by.
 *
 * <p>{@code sonames} are tried newest generation first (CUDA 13, then 12). {@code wheelDirs} are the
 * folders, relative to a Python {@code site-packages}, where NVIDIA's pip wheels put the library
 * (CUDA 13 wheels share {@code nvidia/cu13/lib}; CUDA 12 wheels use one folder per library).
 */
public enum Lib {
    /** The CUDA driver. Only ever {@code libcuda.so.1}: a bare {@code libcuda.so} may be the toolkit's link stub. */
    CUDA("cuda", "TURBOJET_CUDA", List.of("libcuda.so.1"), List.of(), "", LibrarySearch.BYTEDECO_DIR),
    CUBLAS_LT("cublasLt", "TURBOJET_CUBLASLT", List.of("libcublasLt.so.13", "libcublasLt.so.12"),
            List.of("nvidia/cu13/lib", "nvidia/cublas/lib"), "", LibrarySearch.BYTEDECO_DIR),
    CUDNN("cudnn", "TURBOJET_CUDNN", List.of("libcudnn.so.9"), List.of("nvidia/cudnn/lib"), "", LibrarySearch.BYTEDECO_DIR),
    /** libnvrtc dlopens its builtins by bare name, which fails outside the system paths: we load them first. */
    NVRTC("nvrtc", "TURBOJET_NVRTC", List.of("libnvrtc.so.13", "libnvrtc.so.12"),
            List.of("nvidia/cu13/lib", "nvidia/cuda_nvrtc/lib"), "libnvrtc-builtins.so.", LibrarySearch.BYTEDECO_DIR),
    /**
     * OpenBLAS, the CPU backend's SGEMM: from bytedeco's {@code openblas} jar on the class path (a Maven
     * Central artifact, so the build fetches it), or a system {@code libopenblas.so.0}. Its folder in the
     * jar also holds the libgfortran it links, found through its {@code $ORIGIN} run path.
     */
    OPENBLAS("openblas", "TURBOJET_OPENBLAS", List.of("libopenblas.so.0"), List.of(), "",
            "org/bytedeco/openblas/linux-x86_64"),
    /**
     * oneDNN, the CPU backend's SGEMM on AVX-512: from bytedeco's {@code dnnl} jar on the class path, or a
     * system {@code libdnnl.so.3}. Its folder in the jar also holds the libgomp it links ({@code $ORIGIN}).
     */
    ONEDNN("onednn", "TURBOJET_ONEDNN", List.of("libdnnl.so.3"), List.of(), "", "org/bytedeco/dnnl/linux-x86_64");

    private final String key;
    private final String envVar;
    private final List<String> sonames;
    private final List<String> wheelDirs;
    private final String companionPrefix;
    private final String jarDir;

    Lib(String key, String envVar, List<String> sonames, List<String> wheelDirs, String companionPrefix, String jarDir) {
        this.key = key;
        this.envVar = envVar;
        this.sonames = sonames;
        this.wheelDirs = wheelDirs;
        this.companionPrefix = companionPrefix;
        this.jarDir = jarDir;
    }

    /** Whether this is one of the CUDA libraries (searched for in the CUDA toolkit too). */
    public boolean isCuda() {
        return this != OPENBLAS && this != ONEDNN;
    }

    /** The folder inside a bytedeco jar that holds the library and its neighbours. */
    public String jarDir() {
        return jarDir;
    }

    /** Files next to the library, starting with this prefix, that must be loaded before it ("" for none). */
    public String companionPrefix() {
        return companionPrefix;
    }

    /**
     * System property naming the library file explicitly, e.g. {@code turbojet.cuda.lib.cublasLt}, or
     * {@code turbojet.lib.openblas}.
     */
    public String property() {
        return (isCuda() ? "turbojet.cuda.lib." : "turbojet.lib.") + key;
    }

    /** Environment variable naming the library file (or its folder) explicitly. */
    public String envVar() {
        return envVar;
    }

    public List<String> sonames() {
        return sonames;
    }

    public List<String> wheelDirs() {
        return wheelDirs;
    }
}
