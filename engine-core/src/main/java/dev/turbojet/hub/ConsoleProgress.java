package dev.turbojet.hub;

import java.io.PrintStream;
import java.io.Console;
import java.util.Locale;

/**
 * A progress display for the command line on stderr: on a terminal one line rewritten in place
 * with {@code \r} (bar, percentage, bytes, rate, ETA, file); elsewhere (a log, a pipe) a plain line
 * every {@code 10%} of the total or every 30 seconds, whichever comes first.
 */
public final class ConsoleProgress implements DownloadListener {
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final long LOG_NANOS = 30_000_000_000L;
    private static final int BAR = 24;

    private final PrintStream out;
    private final boolean interactive;
    private long lastDraw;
    private int lastDecile = -1;
    private int lastWidth;

    public ConsoleProgress(PrintStream out, boolean interactive) {
        this.out = out;
        this.interactive = interactive;
    }

    /** On stderr, interactive when the JVM has a terminal. */
    public static ConsoleProgress stderr() {
        Console console = System.console();
        return new ConsoleProgress(System.err, console != null && console.isTerminal());
    }

    @Override
    public void progress(Progress p) {
        long now = System.nanoTime();
        if (interactive) {
            if (now - lastDraw < REDRAW_NANOS && p.allDone() < p.allTotal()) return;
            lastDraw = now;
            String line = line(p);
            out.print("\r" + line + " ".repeat(Math.max(0, lastWidth - line.length())));
            lastWidth = line.length();
            out.flush();
        } else {
            int decile = p.allTotal() > 0 ? (int) (10 * p.allDone() / p.allTotal()) : 0;
            if (decile == lastDecile && now - lastDraw < LOG_NANOS) return;
            lastDecile = decile;
            lastDraw = now;
            out.println(line(p));
        }
    }

    @Override
    public void finished(String file, long bytes, boolean downloaded) {
        if (!downloaded) return;
        if (interactive) {
            out.print("\r" + " ".repeat(lastWidth) + "\r");
            lastWidth = 0;
        }
        out.println("downloaded " + file + " (" + bytes(bytes) + ")");
    }

    static String line(Progress p) {
        double fraction = p.allTotal() > 0 ? Math.min(1.0, (double) p.allDone() / p.allTotal()) : 0;
        int filled = (int) Math.round(fraction * BAR);
        String eta = p.eta().isZero() ? "--:--" : String.format(Locale.ROOT, "%d:%02d",
                p.eta().toMinutes(), p.eta().toSecondsPart());
        return String.format(Locale.ROOT, "[%s%s] %3d%% %s/%s %s/s ETA %s %s",
                "#".repeat(filled), ".".repeat(BAR - filled), Math.round(fraction * 100),
                bytes(p.allDone()), bytes(p.allTotal()), bytes((long) p.bytesPerSecond()), eta, p.file());
    }

    static String bytes(long n) {
        if (n < 1024) return n + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
