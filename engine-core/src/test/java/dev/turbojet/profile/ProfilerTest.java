package dev.turbojet.profile;

import dev.turbojet.cli.Main;
import dev.turbojet.ops.CountingOps;
import dev.turbojet.ops.OpTimer;
import dev.turbojet.ops.ProfilingOps;
import dev.turbojet.ops.cpu.CpuOps;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;
import dev.turbojet.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The profile of the tiny UNet accounts for every op and every FLOP; module paths follow the marks. */
class ProfilerTest {
    private static final Ceilings FAKE = new Ceilings(1e11, 1e10, "test values");

    @Test
    void tinyUNetTableAccountsForEveryOpAndFlop() {
        CpuOps ops = new CpuOps(2);
        Workloads.UNetStep step = Workloads.UNetStep.create(ops, SyntheticModels.unet(ModelSize.TINY.unet(), ops), 16);
        ProfileReport r = Profiler.profile(ops, FAKE, "unet", 4, 4, step::run);
        CountingOps counted = Workloads.countUNet(ModelSize.TINY, 16, 4);

        assertEquals(counted.totalFlops(), r.flops(), 1e-9 * counted.totalFlops());
        assertEquals(counted.totalBytes(), r.bytes(), 1e-9 * counted.totalBytes());
        long countedOps = 0;
        for (CountingOps.Kind k : CountingOps.Kind.values()) {
            if (k != CountingOps.Kind.ATTENTION_QK) countedOps += counted.tally(k).calls();   // attention counts twice
        }
        long timedOps = r.calls().stream().filter(c -> !List.of("reshape", "upload", "download").contains(c.op())).count();
        assertEquals(countedOps, timedOps, () -> "ops other than reshape , upload and download (CountingOps does not count them)\n" + counted.summary() + r.table("by op", r.byOp(), 0));
        for (List<ProfileReport.Row> rows : List.of(r.byOp(), r.byModule())) {
            assertEquals(r.calls().size(), rows.stream().mapToLong(ProfileReport.Row::calls).sum());
            assertEquals(100, rows.stream().mapToDouble(ProfileReport.Row::percent).sum(), 1e-6);
            assertEquals(r.opMs(), rows.stream().mapToDouble(ProfileReport.Row::ms).sum(), 1e-6 * r.opMs());
            assertEquals(r.flops(), rows.stream().mapToDouble(ProfileReport.Row::flops).sum(), 1e-9 * r.flops());
        }
        assertTrue(r.opMs() <= r.wallMs() + 1e-6, r.opMs() + " ms in ops, " + r.wallMs() + " ms wall");
        assertTrue(r.byOp().stream().anyMatch(row -> row.name().equals("conv2d 3x3")), r.table("by op", r.byOp(), 0));
        assertTrue(r.byModule().stream().anyMatch(row -> row.name().equals("down_blocks.1.attentions.0")),
                r.table("by module", r.byModule(), 0));
        assertTrue(r.byModule().stream().noneMatch(row -> row.name().equals(ProfilingOps.UNMARKED)),
                "the UNet's last op is marked (conv_out)");
        String json = r.toJson();
        assertTrue(json.contains("\"byOp\"") && json.contains("\"conv2d 3x3\""), json);
    }

    @Test
    void opsBelongToTheNextMarksPath() {
        CpuOps cpu = new CpuOps(1);
        ProfilingOps p = new ProfilingOps(cpu, OpTimer.wallClock(), 4);
        Tensor x = cpu.upload(HostTensor.of(Shape.of(2), 1f, 2f));
        Tensor a = p.add(x, x);
        a = p.mark("block.0.norm", p.silu(a));
        a = p.mark("block.0", p.mul(a, x));
        p.mark("block.0", a);                                  // a second mark with nothing new claims nothing
        p.affine(a, 2f, 1f);
        List<ProfilingOps.Call> calls = p.drain();
        assertEquals(List.of("add", "silu", "mul", "affine"), calls.stream().map(ProfilingOps.Call::op).toList());
        assertEquals(List.of("block.0.norm", "block.0.norm", "block.0", ProfilingOps.UNMARKED),
                calls.stream().map(ProfilingOps.Call::path).toList());
        assertTrue(p.drain().isEmpty(), "drain starts afresh");
        assertEquals("block.0", ProfileReport.truncate("block.0.norm", 2));
        assertEquals("block.0.norm", ProfileReport.truncate("block.0.norm", 0));
    }

    @Test
    void profileCommandPrintsBothTables() {
        StringWriter out = new StringWriter(), err = new StringWriter();
        var cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int rc = cli.execute("profile", "--component", "unet", "--synthetic", "tiny", "--width", "128", "--height", "128", "--top", "5");
        assertEquals(0, rc, err.toString());
        String text = out.toString();
        assertTrue(text.contains("by op") && text.contains("by module") && text.contains("conv2d 3x3") && text.contains("TFLOP/s"), text);
        System.out.println(text);
    }
}
