package dev.turbojet.ffi.cublas;

import java.lang.foreign.MemorySegment;

/**
 * One heuristic result: the opaque 64-byte cublasLtMatmulAlgo_t (kept in a global-arena segment so
 * it outlives the query) and the workspace it needs.
 */
public record MatmulAlgo(MemorySegment algo, long workspaceBytes, float waves) {}
