package dev.turbojet.serve;

import dev.turbojet.pipeline.GeneratedImage;
import dev.turbojet.pipeline.GenerationRequest;

import java.util.List;

/** What the server generates with: {@code SdxlPipeline::generate}. Called on the queue's one worker thread. */
@FunctionalInterface
public interface Engine {
    List<GeneratedImage> generate(GenerationRequest request);
}
