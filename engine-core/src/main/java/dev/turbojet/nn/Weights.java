package dev.turbojet.nn;

import dev.turbojet.io.TensorSource;
import dev.turbojet.io.TensorView;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.Shape;
import dev.turbojet.tensor.Tensor;

/**
 * A scoped, read-only view of a checkpoint, bound to the backend that will hold the weights:
 * {@code w.at("down_blocks").at(1).tensor("norm1.weight", 320)} checks dtype and shape, marks
 * the name used and hands back the backend's tensor. Problems are collected, not thrown, so that
 * one {@link WeightReport#check()} after a model loads lists every missing, misshapen and unused
 * tensor at once.
 */
public final class Weights {
    private final TensorSource source;
    private final Ops ops;
    private final String prefix;
    private final WeightReport report;

    private Weights(TensorSource source, Ops ops, String prefix, WeightReport report) {
        this.source = source;
        this.ops = ops;
        this.prefix = prefix;
        this.report = report;
    }

    /** The root view of {@code source}; tensors are bound through {@link Ops#weight}. */
    public static Weights of(TensorSource source, Ops ops) {
        return new Weights(source, ops, "", new WeightReport(source));
    }

    /** The child scope {@code name} ("down_blocks", "norm1"). */
    public Weights at(String name) {
        return new Weights(source, ops, fullName(name) + ".", report);
    }

    /** The child scope {@code i} of a list ("resnets" then 0). */
    public Weights at(int i) {
        return at(Integer.toString(i));
    }

    /**
     * This scope's path without the trailing dot ("down_blocks.1.resnets.0"), "" at the root. A block
     * keeps the path it was loaded from and names the activations it marks ({@code Ops.mark}) with it:
     * its own output as the path, a part's as {@link #join}(path, part).
     */
    public String path() {
        return prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1);
    }

    /** The path of {@code part} ("norm1", "encoder.conv_in") under the module path {@code path} ("" at the root). */
    public static String join(String path, String part) {
        return path.isEmpty() ? part : path + "." + part;
    }

    public String fullName(String name) {
        return prefix + name;
    }

    public boolean has(String name) {
        return source.find(fullName(name)).isPresent();
    }

    /**
     * The floating-point tensor {@code name} of exactly {@code shape}. A missing or misshapen tensor is
     * recorded in the report and a placeholder that no backend accepts is returned, so loading goes on
     * and reports everything at once.
     */
    public Tensor tensor(String name, long... shape) {
        String full = fullName(name);
        Shape want = Shape.of(shape);
        var found = source.find(full);
        if (found.isEmpty()) {
            report.missing(full, want);
            return new Unbound(full, want);
        }
        TensorView view = found.get();
        report.used(full);
        if (!view.shape().equals(want)) {
            report.misshapen(full, want, view.shape());
            return new Unbound(full, want);
        }
        if (!view.dtype().isFloatingPoint()) {
            report.wrongType(full, view.dtype());
            return new Unbound(full, want);
        }
        long bad = view.firstNonFinite();
        if (bad >= 0) {
            report.nonFinite(full, bad, view.getFloat(bad));
            return new Unbound(full, want);
        }
        return ops.weight(view);
    }

    /** Marks {@code name} as deliberately not used (e.g. transformers' position_ids buffer). */
    public void ignore(String name) {
        if (has(name)) report.used(fullName(name));
    }

    public WeightReport report() {
        return report;
    }

    public Ops ops() {
        return ops;
    }

    /** Stands in for a tensor that failed to bind; {@link WeightReport#check()} throws before any use. */
    record Unbound(String name, Shape shape) implements Tensor {
        @Override
        public DType dtype() {
            return DType.F32;
        }
    }
}
