package dev.turbojet.ops.cuda;

/**
 * What one arena pass allocated: the number of allocations, the bytes at the pass's peak, and a hash
 * of the sequence of requested sizes (equal signatures: the same allocations at the same addresses,
 * what replaying a captured CUDA graph relies on).
 */
public record PassSummary(int allocations, long peakBytes, long signature) {}
