package dev.turbojet.testing;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Seeded mutation fuzzing for the readers of untrusted files. A run is {@code cases} mutants of a
 * corpus; case {@code i} of seed {@code s} is always the same bytes ({@link #mutant}), so a failure
 * names the seed and case that reproduce it. {@code -Dturbojet.fuzz.cases=N} and
 * {@code -Dturbojet.fuzz.seed=S} change the run (the build runs 10,000 of seed 1 per reader).
 */
public final class Fuzz {
    /** The number of cases a suite runs: {@code turbojet.fuzz.cases}, default 10,000. */
    public static int cases() {
        return Integer.getInteger("turbojet.fuzz.cases", 10_000);
    }

    /** The run's seed: {@code turbojet.fuzz.seed}, default 1. */
    public static long seed() {
        return Long.getLong("turbojet.fuzz.seed", 1L);
    }

    /** A random source for case {@code i} of {@code seed}, independent of every other case. */
    public static SplittableRandom random(long seed, long i) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + i);
    }

    /**
     * Case {@code i}: one corpus entry put through one to three mutations drawn from {@code mutations},
     * each a function of (random, bytes) to new bytes.
     */
    public static byte[] mutant(byte[][] corpus, long seed, long i, Mutation... mutations) {
        SplittableRandom r = random(seed, i);
        byte[] b = corpus[r.nextInt(corpus.length)].clone();
        int n = 1 + r.nextInt(3);
        for (int k = 0; k < n; k++) b = mutations[r.nextInt(mutations.length)].apply(r, b);
        return b;
    }

    /** A mutation of a file's bytes. */
    @FunctionalInterface
    public interface Mutation {
        byte[] apply(SplittableRandom r, byte[] b);
    }

    // ---- generic mutations ------------------------------------------------------------------------

    /** One to eight random bytes anywhere set to random values. */
    public static byte[] flipBytes(SplittableRandom r, byte[] b) {
        if (b.length == 0) return b;
        int n = 1 + r.nextInt(8);
        for (int k = 0; k < n; k++) b[r.nextInt(b.length)] = (byte) r.nextInt(256);
        return b;
    }

    /** One random bit flipped within the first {@code prefix} bytes. */
    public static byte[] flipBitIn(SplittableRandom r, byte[] b, int prefix) {
        if (b.length == 0) return b;
        int at = r.nextInt(Math.min(b.length, Math.max(1, prefix)));
        b[at] ^= (byte) (1 << r.nextInt(8));
        return b;
    }

    /** Cut at a random length (possibly 0). */
    public static byte[] truncate(SplittableRandom r, byte[] b) {
        return Arrays.copyOf(b, b.length == 0 ? 0 : r.nextInt(b.length));
    }

    /** Random bytes inserted at a random place. */
    public static byte[] insert(SplittableRandom r, byte[] b) {
        int at = r.nextInt(b.length + 1), n = 1 + r.nextInt(r.nextBoolean() ? 4 : 64);
        byte[] out = new byte[b.length + n];
        System.arraycopy(b, 0, out, 0, at);
        for (int k = 0; k < n; k++) out[at + k] = (byte) r.nextInt(256);
        System.arraycopy(b, at, out, at + n, b.length - at);
        return out;
    }

    /** A random range removed. */
    public static byte[] delete(SplittableRandom r, byte[] b) {
        if (b.length < 2) return b;
        int at = r.nextInt(b.length), n = 1 + r.nextInt(Math.min(64, b.length - at));
        byte[] out = new byte[b.length - n];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(b, at + n, out, at, b.length - at - n);
        return out;
    }

    /** A random range copied over another place. */
    public static byte[] duplicate(SplittableRandom r, byte[] b) {
        if (b.length < 2) return b;
        int from = r.nextInt(b.length), n = 1 + r.nextInt(Math.min(32, b.length - from)), to = r.nextInt(b.length - n + 1);
        System.arraycopy(b.clone(), from, b, to, n);
        return b;
    }

    /** {@code s} with one of {@code p}'s matches, picked at random, replaced by {@code with}'s value; {@code s} when none. */
    public static String replaceMatch(SplittableRandom r, String s, java.util.regex.Pattern p, java.util.function.Supplier<String> with) {
        java.util.regex.Matcher m = p.matcher(s);
        int count = 0;
        while (m.find()) count++;
        if (count == 0) return s;
        int pick = r.nextInt(count);
        m.reset();
        for (int k = 0; k <= pick; k++) m.find();
        return s.substring(0, m.start()) + with.get() + s.substring(m.end());
    }

    /** Values an untrusted number is most likely to be wrong with. */
    public static long interestingNumber(SplittableRandom r) {
        long[] edge = {0, 1, -1, 2, 7, 8, 255, 256, 65535, 65536, Integer.MAX_VALUE, Integer.MIN_VALUE, 1L << 32,
            (1L << 32) - 1, 1L << 40, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE / 2};
        return r.nextBoolean() ? edge[r.nextInt(edge.length)] : r.nextLong() >> r.nextInt(64);
    }

    /**
     * Runs {@code cases} mutants through {@code parse}; {@code accept} classifies what a case threw: null
     * when the outcome is one the reader may give, else the description of what went wrong. Fails with
     * the first bad case's seed, index and story.
     */
    public static void run(String what, int cases, long seed, Function<Long, byte[]> mutants, Case parse,
                           Function<Throwable, String> accept) {
        int ok = 0, refused = 0;
        for (long i = 0; i < cases; i++) {
            byte[] bytes = mutants.apply(i);
            Throwable thrown = null;
            try {
                parse.run(bytes);
                ok++;
            } catch (Throwable t) {
                thrown = t;
            }
            if (thrown != null) {
                String problem = accept.apply(thrown);
                if (problem != null) {
                    AssertionError e = new AssertionError(what + " fuzz case " + i + " of seed " + seed + " (" + bytes.length
                            + " bytes; -Dturbojet.fuzz.seed=" + seed + "): " + problem, thrown);
                    throw e;
                }
                refused++;
            }
        }
        System.out.printf("%s fuzz: %d cases of seed %d: %d parsed, %d refused with a message%n", what, cases, seed, ok, refused);
        if (refused == 0 || ok == 0) throw new AssertionError(what + " fuzz: " + ok + " parsed and " + refused
                + " refused: the mutations no longer exercise both outcomes");
    }

    /** One parse of a case's bytes. */
    @FunctionalInterface
    public interface Case {
        void run(byte[] bytes) throws Exception;
    }

    private Fuzz() {
    }
}
