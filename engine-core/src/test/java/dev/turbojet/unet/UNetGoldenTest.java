package dev.turbojet.unet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turbojet.io.SafetensorsFile;
import dev.turbojet.io.TensorSource;
import dev.turbojet.ops.TracingOps;
import dev.turbojet.ops.cpu.CpuOps;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Tensor;
import dev.turbojet.testing.ReferenceKit;
import dev.turbojet.verify.Comparison;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The tiny UNet on CpuOps against diffusers' fp64 goldens: output and every hooked intermediate. */
class UNetGoldenTest {
    /** Reference-kit tolerances on max |diff|, scaled by max(1, max|expected|). */
    static final double OUT_TOL = 1e-4;
    static final double HOOK_TOL = 5e-4;

    static SafetensorsFile goldens;
    static SafetensorsFile weights;
    static CpuOps cpu;

    @BeforeAll
    static void open() {
        goldens = SafetensorsFile.open(TinyUNet.goldens());
        weights = SafetensorsFile.open(TinyUNet.weights());
        cpu = new CpuOps();
    }

    @AfterAll
    static void close() {
        goldens.close();
        weights.close();
    }

    static List<String> cases() throws IOException {
        SafetensorsFile g = SafetensorsFile.open(TinyUNet.goldens());
        try (g) {
            JsonNode cases = new ObjectMapper().readTree(g.metadata().get("cases"));
            List<String> names = new ArrayList<>();
            for (JsonNode c : cases) names.add(c.get(0).textValue());
            return names;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void outputAndHooksMatchDiffusers(String name) {
        TracingOps ops = new TracingOps(cpu);
        UNet2DCondition unet = UNet2DCondition.load(weights, ops, TinyUNet.config());
        HostTensor out = run(unet, ops, name);

        List<String> failures = new ArrayList<>();
        Comparison o = check(name + ".out", out, golden(name + ".out"), OUT_TOL, failures);
        double worstHook = 0;
        String worstHookName = "-";
        String hookPrefix = name + ".hook.";
        int hooks = 0;
        for (String key : goldens.names()) {
            if (!key.startsWith(hookPrefix)) continue;
            hooks++;
            String path = key.substring(hookPrefix.length());
            HostTensor actual = ops.traced().get(path);
            if (actual == null) {
                failures.add(key + ": the model never marked '" + path + "'");
                continue;
            }
            Comparison c = check(key, actual, golden(key), HOOK_TOL, failures);
            double scaled = c.maxAbsDiff() / Math.max(1, c.maxAbsExpected());
            if (scaled > worstHook) {
                worstHook = scaled;
                worstHookName = path;
            }
        }
        System.out.printf("UNet golden %-16s out max|diff| %.3e (max|e| %.3g, relErr %.3e); %d hooks, worst scaled %.3e at %s%n",
                name, o.maxAbsDiff(), o.maxAbsExpected(), o.relErr(), hooks, worstHook, worstHookName);
        assertTrue(hooks > 0 || !name.isEmpty());
        if (!failures.isEmpty()) fail(failures.size() + " tensor(s) out of tolerance:\n" + String.join("\n", failures));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void fp16WeightsMatchTheFp16Golden(String name) {
        TensorSource half = ReferenceKit.roundedToFp16(weights);
        UNet2DCondition unet = UNet2DCondition.load(half, cpu, TinyUNet.config());
        HostTensor out = run(unet, cpu, name);
        List<String> failures = new ArrayList<>();
        Comparison c = check(name + ".fp16w.out", out, golden(name + ".fp16w.out"), OUT_TOL, failures);
        Comparison vsFp32 = Comparison.of(name + ".out (fp32 weights)", out, golden(name + ".out"));
        System.out.printf("UNet golden %-16s fp16w.out max|diff| %.3e (vs the fp32-weight golden: %.3e)%n",
                name, c.maxAbsDiff(), vsFp32.maxAbsDiff());
        if (!failures.isEmpty()) fail(String.join("\n", failures));
    }

    static HostTensor run(UNet2DCondition unet, dev.turbojet.ops.Ops ops, String name) {
        Tensor sample = ops.upload(golden(name + ".in.sample"));
        Tensor ehs = ops.upload(golden(name + ".in.encoder_hidden_states"));
        Tensor text = ops.upload(golden(name + ".in.text_embeds"));
        HostTensor ids = golden(name + ".in.time_ids");
        float t = golden(name + ".in.timestep").data()[0];
        return ops.download(unet.forward(ops, sample, t, ehs, text, ids));
    }

    static HostTensor golden(String key) {
        return goldens.find(key).orElseThrow(() -> new AssertionError("golden " + key + " missing")).toHost();
    }

    static Comparison check(String name, HostTensor actual, HostTensor expected, double tol, List<String> failures) {
        if (!actual.shape().equals(expected.shape())) {
            failures.add(name + ": shape " + actual.shape() + ", expected " + expected.shape());
            return new Comparison(name, expected.shape().dims(), Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, -1,
                    0, "");
        }
        Comparison c = Comparison.of(name, actual, expected);
        if (!c.withinScaled(tol)) failures.add(c.summary() + " (tol " + tol + ")\n    first mismatches:" + c.firstMismatches());
        return c;
    }

}
