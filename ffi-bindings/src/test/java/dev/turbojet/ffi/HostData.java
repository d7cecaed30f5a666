package dev.turbojet.ffi;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/** Host-side test data: random arrays, fp16/bf16 encoding, and the relative-error metric. */
public final class HostData {
    private HostData() {}

    public static float[] random(long seed, int n) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    /** Rounds through the 16-bit type, so a CPU reference sees exactly what the GPU sees. */
    public static float[] roundTrip(float[] a, boolean bf16) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = decode(encode(a[i], bf16), bf16);
        }
        return out;
    }

    public static short encode(float v, boolean bf16) {
        if (!bf16) {
            return Float.floatToFloat16(v);
        }
        int f = Float.floatToRawIntBits(v);
        return (short) ((f + 0x7FFF + ((f >>> 16) & 1)) >>> 16);
    }

    public static float decode(short bits, boolean bf16) {
        return bf16 ? Float.intBitsToFloat((bits & 0xFFFF) << 16) : Float.float16ToFloat(bits);
    }

    public static MemorySegment halfSegment(Arena arena, float[] a, boolean bf16) {
        MemorySegment s = arena.allocate(JAVA_SHORT, a.length);
        for (int i = 0; i < a.length; i++) {
            s.setAtIndex(JAVA_SHORT, i, encode(a[i], bf16));
        }
        return s;
    }

    public static float[] fromHalfSegment(MemorySegment s, boolean bf16) {
        float[] out = new float[(int) (s.byteSize() / 2)];
        for (int i = 0; i < out.length; i++) {
            out[i] = decode(s.getAtIndex(JAVA_SHORT, i), bf16);
        }
        return out;
    }

    public static MemorySegment floatSegment(Arena arena, float[] a) {
        return arena.allocateFrom(JAVA_FLOAT, a);
    }

    /** ‖actual − expected‖₂ / ‖expected‖₂. */
    public static double relErr(float[] actual, float[] expected) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = actual[i] - expected[i];
            num += d * d;
            den += (double) expected[i] * expected[i];
        }
        return Math.sqrt(num / Math.max(den, 1e-30));
    }

    /** relErr with the worst element, for assertion messages. */
    public static String describe(float[] actual, float[] expected) {
        int worst = 0;
        for (int i = 1; i < expected.length; i++) {
            if (Math.abs(actual[i] - expected[i]) > Math.abs(actual[worst] - expected[worst])) {
                worst = i;
            }
        }
        return "relErr=" + relErr(actual, expected) + ", max |diff| at " + worst + ": " + actual[worst] + " vs " + expected[worst];
    }
}
