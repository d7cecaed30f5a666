package dev.turbojet.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** A plain-text table: left-aligned text columns, right-aligned number columns, two spaces between. */
final class TextTable {
    private final String[] headers;
    private final boolean[] right;
    private final List<String[]> rows = new ArrayList<>();

    /** Headers; a header starting with '>' marks a right-aligned column (the '>' is not shown). */
    TextTable(String... headers) {
        this.headers = new String[headers.length];
        this.right = new boolean[headers.length];
        for (int i = 0; i < headers.length; i++) {
            right[i] = headers[i].startsWith(">");
            this.headers[i] = right[i] ? headers[i].substring(1) : headers[i];
        }
    }

    void row(String... cells) {
        if (cells.length != headers.length) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, table has " + headers.length + " columns");
        }
        rows.add(cells.clone());
    }

    /** A separator line before the next row (e.g. before totals). */
    void rule() {
        rows.add(null);
    }

    void print(PrintWriter out) {
        int[] width = new int[headers.length];
        for (int i = 0; i < headers.length; i++) width[i] = headers[i].length();
        for (String[] r : rows) {
            if (r == null) continue;
            for (int i = 0; i < r.length; i++) width[i] = Math.max(width[i], r[i].length());
        }
        line(out, headers, width);
        for (String[] r : rows) {
            if (r == null) {
                String[] dashes = new String[width.length];
                for (int i = 0; i < width.length; i++) dashes[i] = "-".repeat(width[i]);
                line(out, dashes, width);
            } else {
                line(out, r, width);
            }
        }
        out.flush();
    }

    private void line(PrintWriter out, String[] cells, int[] width) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) sb.append("  ");
            String pad = " ".repeat(width[i] - cells[i].length());
            sb.append(right[i] ? pad + cells[i] : (i == cells.length - 1 ? cells[i] : cells[i] + pad));
        }
        out.println(sb.toString().stripTrailing());
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** 10935952 → "10.4 MiB". */
    static String size(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    static String shape(long[] dims) {
        return Arrays.toString(dims);
    }
}
