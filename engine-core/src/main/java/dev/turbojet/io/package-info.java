/**
 * Reading checkpoints: safetensors files (memory-mapped, validated), sharded sets, diffusers model
 * folders and variants, the Hugging Face cache layout, config.json, synthetic stand-in weights.
 * Files and bytes only: binding them to a backend is nn's.
 *
 * <p>May depend on: {@code tensor}.
 */
package dev.turbojet.io;
