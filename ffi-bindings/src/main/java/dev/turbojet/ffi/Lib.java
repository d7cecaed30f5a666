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
    CUDA("cuda", "TURBOJET_CUDA", List.of("libcuda.so.1"), List.of(), ""),
    CUBLAS_LT("cublasLt", "TURBOJET_CUBLASLT", List.of("libcublasLt.so.13", "libcublasLt.so.12"),
            List.of("nvidia/cu13/lib", "nvidia/cublas/lib"), ""),
    CUDNN("cudnn", "TURBOJET_CUDNN", List.of("libcudnn.so.9"), List.of("nvidia/cudnn/lib"), ""),
    /** libnvrtc dlopens its builtins by bare name, which fails outside the system paths: we load them first. */
    NVRTC("nvrtc", "TURBOJET_NVRTC", List.of("libnvrtc.so.13", "libnvrtc.so.12"),
            List.of("nvidia/cu13/lib", "nvidia/cuda_nvrtc/lib"), "libnvrtc-builtins.so.");

    private final String key;
    private final String envVar;
    private final List<String> sonames;
    private final List<String> wheelDirs;
    private final String companionPrefix;

    Lib(String key, String envVar, List<String> sonames, List<String> wheelDirs, String companionPrefix) {
        this.key = key;
        this.envVar = envVar;
        this.sonames = sonames;
        this.wheelDirs = wheelDirs;
        this.companionPrefix = companionPrefix;
    }

    /** Files next to the library, starting with this prefix, that must be loaded before it ("" for none). */
    public String companionPrefix() {
        return companionPrefix;
    }

    /** System property naming the library file explicitly, e.g. {@code turbojet.cuda.lib.cublasLt}. */
    public String property() {
        return "turbojet.cuda.lib." + key;
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
