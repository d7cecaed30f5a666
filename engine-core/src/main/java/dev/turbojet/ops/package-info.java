/**
 * The Ops interface every model computes through, and its decorators (checking, counting,
 * profiling, tracing); Backend names and opens the two backends.
 *
 * <p>May depend on: {@code tensor}, {@code io}, {@code ops.cpu}, {@code ops.cuda}.
 */
package dev.turbojet.ops;
