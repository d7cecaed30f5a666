package dev.turbojet.verify;

/** One line of a verify run: a golden tensor and what became of it. */
public record CheckLine(String file, String tensor, Status status, Comparison comparison, Tolerance tolerance, String note) {
    public enum Status { PASS, FAIL, NOT_SUPPORTED }

    public static CheckLine compared(String file, Comparison c, Tolerance tol) {
        return new CheckLine(file, c.name(), tol.accepts(c) ? Status.PASS : Status.FAIL, c, tol, "");
    }

    public static CheckLine notSupported(String file, String tensor, String why) {
        return new CheckLine(file, tensor, Status.NOT_SUPPORTED, null, null, why);
    }

    public static CheckLine failed(String file, String tensor, String why) {
        return new CheckLine(file, tensor, Status.FAIL, null, null, why);
    }

    public String format() {
        if (comparison == null) {
            return String.format("%-4s %-62s %s", status == Status.FAIL ? "FAIL" : "----", file + ":" + tensor,
                    (status == Status.NOT_SUPPORTED ? "not yet supported: " : "") + note);
        }
        return String.format("%-4s %-62s %-18s relErr %.2e  max|diff| %.2e  (tol %s, max|e| %.3g)%s",
                status == Status.PASS ? "ok" : "FAIL", file + ":" + tensor, java.util.Arrays.toString(comparison.shape()),
                comparison.relErr(), comparison.maxAbsDiff(), tolerance, comparison.maxAbsExpected(),
                (note.isEmpty() ? "" : "  " + note)
                        + (status == Status.FAIL ? "  first mismatches:" + comparison.firstMismatches() : ""));
    }
}
