/**
 * The Euler Ancestral scheduler and torch's CPU random streams (bit-exact), on the host.
 *
 * <p>May depend on: {@code tensor}, {@code io}.
 */
package dev.turbojet.schedule;
