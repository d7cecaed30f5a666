/**
 * The original single-file SDXL checkpoint seen as diffusers components: a pure name-mapping table
 * and the configs that go with it.
 *
 * <p>May depend on: {@code io}, {@code tensor}.
 */
package dev.turbojet.io.singlefile;
