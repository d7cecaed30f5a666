/**
 * Tensor handles, shapes, dtypes and host tensors: the vocabulary every other engine package
 * speaks.
 *
 * <p>May depend on: no other turbojet package.
 */
package dev.turbojet.tensor;
