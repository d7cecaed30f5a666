/**
 * The Foreign Function & Memory plumbing every binding shares: the native library search (explicit
 * path, environment, CUDA_HOME, pip wheels), lazy downcall handles and the exceptions that name
 * the failing call.
 *
 * <p>May depend on: no other turbojet package.
 */
package dev.turbojet.ffi;
