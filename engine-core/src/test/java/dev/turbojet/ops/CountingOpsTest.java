package dev.turbojet.ops;

import dev.turbojet.clip.ClipTextModel;
import dev.turbojet.profile.FlopTable;
import dev.turbojet.profile.ModelSize;
import dev.turbojet.profile.SyntheticModels;
import dev.turbojet.profile.Workloads;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The shape-only counter reproduces reference/FLOPS.md, row by row, without any weights or arithmetic. */
class CountingOpsTest {

    /** FLOPS.md prints GFLOP to one decimal. */
    private static final double GFLOP_DIGITS = 0.05;

    @Test
    void fullUNetAt64MatchesFlopsMd() {
        check(FlopTable.UNET_64, Workloads.countUNet(ModelSize.FULL, 64, 4));
    }

    @Test
    void fullUNetAt128MatchesFlopsMd() {
        check(FlopTable.UNET_128, Workloads.countUNet(ModelSize.FULL, 128, 4));
    }

    @Test
    void fullVaeDecoderAt64MatchesFlopsMd() {
        check(FlopTable.VAE_DECODER_64, Workloads.countVaeDecode(ModelSize.FULL, 64, 4));
    }

    @Test
    void fullTextEncodersMatchFlopsMd() {
        var shapes = SyntheticModels.textEncodersShapesOnly(ModelSize.FULL.textEncoder(), ModelSize.FULL.textEncoder2());
        int[][] ids = Workloads.PromptEncode.create(shapes).ids1();
        check(FlopTable.TEXT_ENCODER, countFull(shapes.textEncoder(), ids));
        check(FlopTable.TEXT_ENCODER_2, countFull(shapes.textEncoder2(), ids));
    }

    @Test
    void pipelineEncodeSkipsTextEncoderOnesLastLayer() {
        double encode = Workloads.countTextEncoders(ModelSize.FULL, 4).totalFlops() / 1e9;
        double all = FlopTable.TEXT_ENCODER.totalGflop + FlopTable.TEXT_ENCODER_2.totalGflop;
        // one CLIP-L layer at 77 tokens: 2 x 77 x (4 x 768^2 + 2 x 768 x 3072) + 2 x 2 x 77^2 x 768 = 1.1 GFLOP
        assertEquals(all - 1.1, encode, 0.1);
    }

    @Test
    void bytesScaleWithElementSize() {
        CountingOps fp32 = Workloads.countUNet(ModelSize.TINY, 16, 4), fp16 = Workloads.countUNet(ModelSize.TINY, 16, 2);
        assertEquals(fp32.totalBytes() / 2, fp16.totalBytes(), 1e-6 * fp32.totalBytes());
        assertEquals(fp32.totalFlops(), fp16.totalFlops());
    }

    private static CountingOps countFull(ClipTextModel model, int[][] ids) {
        CountingOps ops = new CountingOps();
        model.forward(ops, ids);
        return ops;
    }

    private static void check(FlopTable row, CountingOps c) {
        String table = row + "\n" + c.summary();
        assertEquals(row.convGflop, c.tally(CountingOps.Kind.CONV).flops() / 1e9, GFLOP_DIGITS, table);
        assertEquals(row.linearGflop, c.tally(CountingOps.Kind.LINEAR).flops() / 1e9, GFLOP_DIGITS, table);
        assertEquals(row.attnQkGflop, c.tally(CountingOps.Kind.ATTENTION_QK).flops() / 1e9, GFLOP_DIGITS, table);
        assertEquals(row.attnAvGflop, c.tally(CountingOps.Kind.ATTENTION_AV).flops() / 1e9, GFLOP_DIGITS, table);
        assertEquals(row.totalGflop, c.totalFlops() / 1e9, GFLOP_DIGITS + 0.1, table);
        assertEquals(row.convs, c.tally(CountingOps.Kind.CONV).calls(), table);
        assertEquals(row.linears, c.tally(CountingOps.Kind.LINEAR).calls(), table);
        assertEquals(row.attentions, c.tally(CountingOps.Kind.ATTENTION_AV).calls(), table);
    }
}
