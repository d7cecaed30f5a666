package dev.turbojet.ffi.cublas;

import dev.turbojet.ffi.cuda.DevicePtr;
import dev.turbojet.ffi.cuda.Stream;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Runs {@link GemmShape}s through cuBLASLt, choosing each shape's algorithm once with
 * cublasLtMatmulAlgoGetHeuristic and caching it with its descriptors.
 *
 * <p>Row-major is mapped onto cuBLASLt's column-major convention by computing
 * {@code Dᵀ[n,m] = op(B)ᵀ · Aᵀ}: a row-major {@code [r,c]} matrix is a column-major {@code [c,r]}
 * one, so no data moves, and cuBLASLt's bias (one value per row of its column-major D) lands on
 * our n. Not thread-safe: one instance per stream (the bias pointer is set on the cached descriptor
 * at each call).
 */
public final class GemmPlans implements AutoCloseable {
    private record Plan(MatmulDesc desc, MatrixLayout a, MatrixLayout b, MatrixLayout d, MatmulAlgo algo) {}

    private final CublasLtHandle handle;
    private final DevicePtr workspace;
    private final long workspaceBytes;
    private final Map<GemmShape, Plan> plans = new HashMap<>();

    /** {@code workspace} is device memory the caller owns; 32 MiB suits Hopper, 4 MiB older GPUs. */
    public GemmPlans(CublasLtHandle handle, DevicePtr workspace, long workspaceBytes) {
        this.handle = handle;
        this.workspace = workspace;
        this.workspaceBytes = workspaceBytes;
    }

    /** D = A·B (or A·Bᵀ) + bias; {@code bias} is present exactly when the shape's epilogue has one. */
    public void run(GemmShape shape, DevicePtr a, DevicePtr b, DevicePtr d, Optional<DevicePtr> bias, Stream stream) {
        Plan plan = plans.computeIfAbsent(shape, this::plan);
        CublasLt.setEpilogue(plan.desc(), shape.epilogue(), bias, shape.type());
        // cuBLASLt's "A" is our B and its "B" is our A (see the class comment).
        CublasLt.matmul(handle, plan.desc(), 1f, b, plan.a(), a, plan.b(), 0f, d, plan.d(), d, plan.d(), plan.algo(),
                workspace, workspaceBytes, stream);
    }

    public int cachedPlans() {
        return plans.size();
    }

    private Plan plan(GemmShape s) {
        DataType t = s.type();
        MatmulDesc desc = CublasLt.createMatmulDesc(s.bTransposed(), false);
        MatrixLayout a = s.bTransposed()
                ? CublasLt.createLayout(t, s.k(), s.n(), s.k(), Order.COLUMN_MAJOR, s.batch(), s.strideB())
                : CublasLt.createLayout(t, s.n(), s.k(), s.n(), Order.COLUMN_MAJOR, s.batch(), s.strideB());
        MatrixLayout b = CublasLt.createLayout(t, s.k(), s.m(), s.k(), Order.COLUMN_MAJOR, s.batch(), s.strideA());
        MatrixLayout d = CublasLt.createLayout(t, s.n(), s.m(), s.n(), Order.COLUMN_MAJOR, s.batch(), s.strideD());
        // The heuristic must see the epilogue; a placeholder aligned bias stands in for the real one.
        CublasLt.setEpilogue(desc, s.epilogue(), s.epilogue().hasBias() ? Optional.of(new DevicePtr(256)) : Optional.empty(), t);
        MatmulPreference pref = CublasLt.createPreference(workspaceBytes);
        try {
            return new Plan(desc, a, b, d, CublasLt.heuristic(handle, desc, a, b, d, pref));
        } finally {
            CublasLt.destroy(pref);
        }
    }

    @Override
    public void close() {
        for (Plan p : plans.values()) {
            CublasLt.destroy(p.a());
            CublasLt.destroy(p.b());
            CublasLt.destroy(p.d());
            CublasLt.destroy(p.desc());
        }
        plans.clear();
    }
}
