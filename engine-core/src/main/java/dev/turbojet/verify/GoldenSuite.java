package dev.turbojet.verify;

/**
 * The checks for one kind of golden file (tokenizer, text encoders, UNet, ...). A suite recognises
 * its files by their tensor names and metadata, discovers the cases in them, runs the engine on the
 * stored inputs and reports each output through the {@link VerifyReport}.
 */
public interface GoldenSuite {
    String name();

    boolean accepts(GoldenFile golden);

    void run(VerifyContext ctx, GoldenFile golden, VerifyReport report);
}
