package dev.turbojet.profile;

import dev.turbojet.ops.CountingOps;

import java.util.Optional;

/**
 * The FLOP counts of reference/FLOPS.md (full-size SDXL Turbo, batch 1, 77 tokens; conv, linear and
 * the two attention matmuls; FLOPs = 2 x MACs), in GFLOP. {@link CountingOps} reproduces these from
 * shapes (a test checks it); the table is kept to say which published number a result compares with.
 */
public enum FlopTable {
    UNET_64(405.8, 1128.0, 27.5, 27.5, 1588.8, 51, 743, 140),
    UNET_128(1623.1, 4354.2, 392.0, 392.0, 6761.2, 51, 743, 140),
    VAE_DECODER_64(2471.6, 8.6, 17.2, 17.2, 2514.5, 36, 4, 1),
    VAE_ENCODER_512PX(1073.7, 8.6, 17.2, 17.2, 1116.7, 28, 4, 1),
    TEXT_ENCODER(0.0, 13.1, 0.1, 0.1, 13.3, 0, 72, 12),
    TEXT_ENCODER_2(0.0, 96.9, 0.5, 0.5, 97.9, 0, 193, 32);

    public final double convGflop, linearGflop, attnQkGflop, attnAvGflop, totalGflop;
    public final int convs, linears, attentions;

    FlopTable(double conv, double linear, double qk, double av, double total, int convs, int linears, int attentions) {
        this.convGflop = conv;
        this.linearGflop = linear;
        this.attnQkGflop = qk;
        this.attnAvGflop = av;
        this.totalGflop = total;
        this.convs = convs;
        this.linears = linears;
        this.attentions = attentions;
    }

    /** The published UNet row for a latent size, where FLOPS.md has one (64 and 128). */
    public static Optional<FlopTable> unet(int latent) {
        return switch (latent) {
            case 64 -> Optional.of(UNET_64);
            case 128 -> Optional.of(UNET_128);
            default -> Optional.empty();
        };
    }
}
