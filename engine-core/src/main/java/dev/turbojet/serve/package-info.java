/**
 * {@code turbojet serve}: an HTTP server (Javalin on Jetty 12) in front of one loaded pipeline.
 * OpenAI's Images API, AUTOMATIC1111's txt2img / img2img subset, a real-time page, health and
 * Prometheus metrics. One worker thread owns generation; a bounded queue, with latest-wins slots
 * for the page, stands in front of it.
 *
 * <p>May depend on: {@code image}, {@code pipeline}.
 */
package dev.turbojet.serve;
