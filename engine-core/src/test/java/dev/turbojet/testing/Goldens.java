package dev.turbojet.testing;

import dev.turbojet.io.SafetensorsFile;
import dev.turbojet.io.TensorView;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;
import dev.turbojet.tensor.Tensor;
import dev.turbojet.verify.Comparison;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A golden file and the checks against it, with the reference kit's tolerances; every comparison
 * is printed and the worst relative error per group is kept for the summary.
 */
public final class Goldens implements AutoCloseable {
    /** Outputs: |a - e| <= 1e-4 max(1, max|e|) (fp32 vs fp64 reference). */
    public static final double OUTPUT_TOL = 1e-4;
    /** Intermediates (hooks): 5e-4 max(1, max|e|). */
    public static final double HOOK_TOL = 5e-4;

    private final SafetensorsFile file;
    private final Map<String, Comparison> worst = new TreeMap<>();

    public Goldens(Path path) {
        this.file = SafetensorsFile.open(path);
    }

    /** A golden file of the reference kit ("scheduler.safetensors"). */
    public static Goldens open(String file) {
        return new Goldens(ReferenceKit.golden(file));
    }

    public TensorView tensor(String name) {
        return file.find(name).orElseThrow(() -> new AssertionError(file.description() + " has no tensor " + name));
    }

    public HostTensor get(String name) {
        return tensor(name).toHost();
    }

    public boolean has(String name) {
        return file.find(name).isPresent();
    }

    public java.util.SortedSet<String> names() {
        return file.names();
    }

    public long[] longs(String name) {
        return tensor(name).toLongArray();
    }

    public byte[] bytes(String name) {
        return tensor(name).toByteArray();
    }

    /** An integer [B, T] golden as int[B][T]. */
    public int[][] ids(String name) {
        TensorView v = tensor(name);
        long[] flat = v.toLongArray();
        int b = v.shape().intDim(0), t = v.shape().intDim(1);
        int[][] out = new int[b][t];
        for (int i = 0; i < b; i++) for (int j = 0; j < t; j++) out[i][j] = Math.toIntExact(flat[i * t + j]);
        return out;
    }

    /** Rows [from, to) of the outermost dim. */
    public static HostTensor rows(HostTensor t, int from, int to) {
        long[] d = t.shape().dims();
        int inner = Math.toIntExact(t.shape().numel() / d[0]);
        d[0] = to - from;
        return new HostTensor(Shape.of(d), Arrays.copyOfRange(t.data(), from * inner, to * inner));
    }

    /** {@link #assertClose}, printing the comparison and keeping the worst one of {@code group}. */
    public Comparison check(String group, String name, HostTensor actual, HostTensor expected, double tol) {
        Comparison c = Comparison.of(name, actual, expected);
        System.out.println(c.summary());
        worst.merge(group, c, (a, b) -> a.relErr() >= b.relErr() ? a : b);
        return assertClose(c, tol);
    }

    /** max |a - e| <= tol * max(1, max|e|); the failure prints name, shape, both metrics and the first mismatches. */
    public static Comparison assertClose(String name, HostTensor actual, HostTensor expected, double tol) {
        return assertClose(Comparison.of(name, actual, expected), tol);
    }

    private static Comparison assertClose(Comparison c, double tol) {
        assertTrue(c.withinScaled(tol), () -> c.summary() + " exceeds " + tol + " * max(1, max|e|);" + c.firstMismatches());
        return c;
    }

    /** Every element bit-identical; the failure lists the first differing elements with their ulp distance. */
    public static void assertSameFloats(String name, float[] actual, float[] expected) {
        if (actual.length != expected.length) throw new AssertionError(name + ": " + actual.length + " elements, expected " + expected.length);
        StringBuilder first = new StringBuilder();
        int differ = 0;
        for (int i = 0; i < actual.length; i++) {
            if (Float.floatToRawIntBits(actual[i]) != Float.floatToRawIntBits(expected[i])) {
                if (differ++ < 5) {
                    first.append(String.format(" [%d] %.9g expected %.9g (%d ulp);", i, actual[i], expected[i],
                            Math.abs(Float.floatToRawIntBits(actual[i]) - Float.floatToRawIntBits(expected[i]))));
                }
            }
        }
        if (differ > 0) throw new AssertionError(name + ": " + differ + " of " + actual.length + " elements differ;" + first);
    }

    public Comparison check(String group, String name, Ops ops, Tensor actual, double tol) {
        return check(group, name, ops.download(actual), get(name), tol);
    }

    public void printWorst() {
        worst.forEach((g, c) -> System.out.printf("WORST %-24s relErr %.3e  max|diff| %.3e  (%s)%n", g, c.relErr(), c.maxAbsDiff(), c.name()));
    }

    /** Wraps {@code ops} so that every {@link Ops#mark} is downloaded into {@code marks}. */
    public static Ops recording(Ops ops, Map<String, HostTensor> marks) {
        return (Ops) Proxy.newProxyInstance(Ops.class.getClassLoader(), new Class<?>[]{Ops.class}, (proxy, m, args) -> {
            if (m.getName().equals("mark")) {
                marks.put((String) args[0], ops.download((Tensor) args[1]));
                return args[1];
            }
            try {
                return m.invoke(ops, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    public static Map<String, HostTensor> newMarks() {
        return new LinkedHashMap<>();
    }

    @Override
    public void close() {
        file.close();
    }
}
