package dev.turbojet.ffi.nvrtc;

/** The output of one NVRTC compilation: a CUBIN (for a real {@code sm_XX}) or PTX, and the compiler log. */
public record CompiledKernel(byte[] image, boolean isCubin, String log) {}
