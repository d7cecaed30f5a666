/**
 * The CUDA driver API: contexts, device memory, streams, events, modules, launches and graphs, as
 * typed handles; every status checked.
 *
 * <p>May depend on: {@code ffi}.
 */
package dev.turbojet.ffi.cuda;
