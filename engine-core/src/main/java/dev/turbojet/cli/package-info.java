/**
 * The turbojet command line (generate, serve, inspect, profile, verify): options, messages, one line per
 * error.
 *
 * <p>May depend on: {@code tensor}, {@code io}, {@code hub}, {@code image}, {@code ops},
 * {@code ops.cpu}, {@code ops.cuda}, {@code clip}, {@code unet}, {@code vae}, {@code taesd},
 * {@code pipeline}, {@code serve}, {@code profile}, {@code verify}.
 */
package dev.turbojet.cli;
