package dev.turbojet.kernels;

import dev.turbojet.ffi.cuda.KernelArgs;
import dev.turbojet.ffi.cuda.LaunchConfig;

/** One planned kernel launch: which kernel, its grid, its arguments. Launchers build these; {@link KernelImage} runs them. */
public record Launch(String kernel, LaunchConfig config, KernelArgs args) {}
