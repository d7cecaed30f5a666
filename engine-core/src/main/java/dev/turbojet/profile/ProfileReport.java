package dev.turbojet.profile;

import dev.turbojet.ops.ProfilingOps;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * One profiled pass: every op call with its time, FLOPs and bytes, and the same grouped per op kind
 * and per module path (paths cut to {@code depth} dot-separated segments), each row against the
 * measured {@link Ceilings}.
 */
public record ProfileReport(String component, String backend, Ceilings ceilings, double wallMs,
                            List<ProfilingOps.Call> calls, List<Row> byOp, List<Row> byModule) {

    /** A group of calls. {@code percent} is of the summed op time of the pass. */
    public record Row(String name, long calls, double ms, double percent, double flops, double bytes) {
        public double tflopsPerSecond() {
            return ms == 0 ? 0 : flops / (ms / 1e3) / 1e12;
        }

        public double gbPerSecond() {
            return ms == 0 ? 0 : bytes / (ms / 1e3) / 1e9;
        }
    }

    public static ProfileReport of(String component, String backend, Ceilings ceilings, double wallMs,
                                   List<ProfilingOps.Call> calls, int depth) {
        return new ProfileReport(component, backend, ceilings, wallMs, List.copyOf(calls),
                group(calls, ProfilingOps.Call::op), group(calls, c -> truncate(c.path(), depth)));
    }

    /** The summed time of every op (the wall time of the pass minus what happens between ops). */
    public double opMs() {
        return calls.stream().mapToDouble(ProfilingOps.Call::ms).sum();
    }

    public double flops() {
        return calls.stream().mapToDouble(ProfilingOps.Call::flops).sum();
    }

    public double bytes() {
        return calls.stream().mapToDouble(ProfilingOps.Call::bytes).sum();
    }

    static String truncate(String path, int depth) {
        if (depth <= 0) return path;
        int at = -1;
        for (int i = 0; i < depth; i++) {
            at = path.indexOf('.', at + 1);
            if (at < 0) return path;
        }
        return path.substring(0, at);
    }

    private static List<Row> group(List<ProfilingOps.Call> calls, Function<ProfilingOps.Call, String> key) {
        double total = calls.stream().mapToDouble(ProfilingOps.Call::ms).sum();
        Map<String, double[]> acc = new LinkedHashMap<>();
        for (ProfilingOps.Call c : calls) {
            double[] a = acc.computeIfAbsent(key.apply(c), k -> new double[4]);
            a[0]++;
            a[1] += c.ms();
            a[2] += c.flops();
            a[3] += c.bytes();
        }
        List<Row> rows = new ArrayList<>();
        acc.forEach((k, a) -> rows.add(new Row(k, (long) a[0], a[1], total == 0 ? 0 : 100 * a[1] / total, a[2], a[3])));
        rows.sort(Comparator.comparingDouble(Row::ms).reversed());
        return List.copyOf(rows);
    }

    /** A text table of the first {@code top} rows (all when top <= 0), the rest summed in one line. */
    public String table(String title, List<Row> rows, int top) {
        double peakT = ceilings.flopsPerSecond() / 1e12, peakG = ceilings.bytesPerSecond() / 1e9;
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%s%n%-44s %6s %10s %6s %9s %8s %7s %7s%n",
                title, "name", "calls", "ms", "%", "TFLOP/s", "GB/s", "%peakF", "%peakB"));
        int shown = top <= 0 ? rows.size() : Math.min(top, rows.size());
        for (int i = 0; i < shown; i++) line(sb, rows.get(i), peakT, peakG);
        if (shown < rows.size()) {
            List<Row> rest = rows.subList(shown, rows.size());
            line(sb, new Row("(" + rest.size() + " more)", rest.stream().mapToLong(Row::calls).sum(),
                    rest.stream().mapToDouble(Row::ms).sum(), rest.stream().mapToDouble(Row::percent).sum(),
                    rest.stream().mapToDouble(Row::flops).sum(), rest.stream().mapToDouble(Row::bytes).sum()), peakT, peakG);
        }
        Row all = new Row("total", calls.size(), opMs(), 100, flops(), bytes());
        line(sb, all, peakT, peakG);
        return sb.toString();
    }

    private static void line(StringBuilder sb, Row r, double peakT, double peakG) {
        String name = r.name().length() > 44 ? "..." + r.name().substring(r.name().length() - 41) : r.name();
        sb.append(String.format(Locale.ROOT, "%-44s %6d %10.2f %6.1f %9.4f %8.2f %7.1f %7.1f%n", name, r.calls(), r.ms(),
                r.percent(), r.tflopsPerSecond(), r.gbPerSecond(), 100 * r.tflopsPerSecond() / peakT, 100 * r.gbPerSecond() / peakG));
    }

    /** The header: component, backend, ceilings, wall and op time, FLOPs. */
    public String header() {
        return String.format(Locale.ROOT,
                "%s on %s%nceilings (measured: %s): %.3f TFLOP/s, %.1f GB/s%npass: %.1f ms wall, %.1f ms in %d ops, %.2f GFLOP, %.3f GB%n",
                component, backend, ceilings.how(), ceilings.flopsPerSecond() / 1e12, ceilings.bytesPerSecond() / 1e9,
                wallMs, opMs(), calls.size(), flops() / 1e9, bytes() / 1e9);
    }

    /** The report as JSON: header fields, both tables, no per-call list. */
    public String toJson() {
        StringBuilder sb = new StringBuilder("{\n");
        sb.append("  \"component\": ").append(quote(component)).append(",\n");
        sb.append("  \"backend\": ").append(quote(backend)).append(",\n");
        sb.append(String.format(Locale.ROOT, "  \"ceilings\": {\"flopsPerSecond\": %.6g, \"bytesPerSecond\": %.6g, \"how\": %s},%n",
                ceilings.flopsPerSecond(), ceilings.bytesPerSecond(), quote(ceilings.how())));
        sb.append(String.format(Locale.ROOT, "  \"wallMs\": %.4f, \"opMs\": %.4f, \"ops\": %d, \"flops\": %.6g, \"bytes\": %.6g,%n",
                wallMs, opMs(), calls.size(), flops(), bytes()));
        sb.append("  \"byOp\": ").append(json(byOp)).append(",\n");
        sb.append("  \"byModule\": ").append(json(byModule)).append("\n}\n");
        return sb.toString();
    }

    private static String json(List<Row> rows) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            sb.append(i == 0 ? "\n" : ",\n").append(String.format(Locale.ROOT,
                    "    {\"name\": %s, \"calls\": %d, \"ms\": %.4f, \"percent\": %.3f, \"flops\": %.6g, \"bytes\": %.6g}",
                    quote(r.name()), r.calls(), r.ms(), r.percent(), r.flops(), r.bytes()));
        }
        return sb.append(rows.isEmpty() ? "]" : "\n  ]").toString();
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
