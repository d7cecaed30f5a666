package dev.turbojet.ffi.cudnn;

import dev.turbojet.ffi.cuda.DevicePtr;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * NHWC forward convolutions through the cuDNN backend (graph) API, one execution plan per
 * {@link ConvShape}, chosen once by heuristic mode A and cached.
 *
 * <p>Why the backend API and not {@code cudnnConvolutionForward}: in cuDNN 9 the legacy
 * convolution entry points (and the filter/convolution descriptors they need) are marked deprecated
 * in favour of the graph API, and only the graph API reaches the newer engines (runtime-compiled
 * and fused kernels, CUDA-graph friendly plans). The price is more descriptors to build, which
 * happens once per shape; each call afterwards is one variant pack and one cudnnBackendExecute.
 * Not thread-safe: one instance per handle/stream.
 */
public final class ConvPlans implements AutoCloseable {
    private static final long X_UID = 'x';
    private static final long W_UID = 'w';
    private static final long Y_UID = 'y';
    private static final int HEUR_MODE_A = 3;
    private static final int CROSS_CORRELATION = 1;
    private static final int MAX_CONFIGS = 8;

    /** A finalized execution plan and the workspace it needs. */
    public record Plan(Descriptor plan, long workspaceBytes) {}

    private final CudnnHandle handle;
    private final Map<ConvShape, Plan> plans = new HashMap<>();

    public ConvPlans(CudnnHandle handle) {
        this.handle = handle;
    }

    /** The plan for {@code shape}, built on first use: callers size the workspace from it. */
    public Plan plan(ConvShape shape) {
        return plans.computeIfAbsent(shape, this::build);
    }

    /**
     * {@code y = conv(x, w)}; all three 16-byte aligned. The stream is the handle's
     * ({@link Cudnn#setStream}); {@code workspace} holds at least {@code plan(shape).workspaceBytes()}.
     */
    public void run(ConvShape shape, DevicePtr x, DevicePtr w, DevicePtr y, DevicePtr workspace) {
        for (DevicePtr p : List.of(x, w, y)) {
            if (!p.isAligned(16)) {
                throw new IllegalArgumentException("cuDNN tensors must be 16-byte aligned: " + p);
            }
        }
        Plan plan = plan(shape);
        Descriptor pack = CudnnBackend.create(DescriptorType.VARIANT_PACK);
        try {
            CudnnBackend.setLongs(pack, Attribute.VARIANT_PACK_UNIQUE_IDS, X_UID, W_UID, Y_UID);
            CudnnBackend.setPointers(pack, Attribute.VARIANT_PACK_DATA_POINTERS, x.address(), w.address(), y.address());
            CudnnBackend.setPointers(pack, Attribute.VARIANT_PACK_WORKSPACE, workspace.address());
            CudnnBackend.finalize(pack);
            CudnnBackend.execute(handle, plan.plan(), pack);
        } finally {
            CudnnBackend.destroy(pack);
        }
    }

    private Plan build(ConvShape shape) {
        Descriptor x = ConvGraph.tensor(X_UID, shape.xDims(), shape.type());
        Descriptor w = ConvGraph.tensor(W_UID, shape.wDims(), shape.type());
        Descriptor y = ConvGraph.tensor(Y_UID, shape.yDims(), shape.type());
        Descriptor conv = ConvGraph.convolution(shape, CROSS_CORRELATION);
        Descriptor op = ConvGraph.forward(x, w, y, conv);
        Descriptor graph = CudnnBackend.create(DescriptorType.OPERATIONGRAPH);
        Descriptor heur = CudnnBackend.create(DescriptorType.ENGINEHEUR);
        try {
            CudnnBackend.setDescriptors(graph, Attribute.OPERATIONGRAPH_OPS, op);
            CudnnBackend.setHandle(graph, Attribute.OPERATIONGRAPH_HANDLE, handle);
            CudnnBackend.finalize(graph);
            CudnnBackend.setDescriptors(heur, Attribute.ENGINEHEUR_OPERATION_GRAPH, graph);
            CudnnBackend.setEnum(heur, Attribute.ENGINEHEUR_MODE, HEUR_MODE_A);
            CudnnBackend.finalize(heur);
            List<Descriptor> configs = CudnnBackend.getDescriptors(heur, Attribute.ENGINEHEUR_RESULTS,
                    DescriptorType.ENGINECFG, MAX_CONFIGS);
            try {
                return firstThatFinalizes(shape, configs);
            } finally {
                configs.forEach(CudnnBackend::destroy);
            }
        } finally {
            for (Descriptor d : List.of(heur, graph, op, conv, y, w, x)) {
                CudnnBackend.destroy(d);
            }
        }
    }

    /** Heuristic order is best-first; some engines refuse a shape at finalize, so try the next. */
    private Plan firstThatFinalizes(ConvShape shape, List<Descriptor> configs) {
        CudnnException last = null;
        for (Descriptor config : configs) {
            Descriptor plan = CudnnBackend.create(DescriptorType.EXECUTION_PLAN);
            try {
                CudnnBackend.setHandle(plan, Attribute.EXECUTION_PLAN_HANDLE, handle);
                CudnnBackend.setDescriptors(plan, Attribute.EXECUTION_PLAN_ENGINE_CONFIG, config);
                CudnnBackend.finalize(plan);
                return new Plan(plan, CudnnBackend.getLong(plan, Attribute.EXECUTION_PLAN_WORKSPACE_SIZE));
            } catch (CudnnException e) {
                CudnnBackend.destroy(plan);
                last = e;
            }
        }
        throw new IllegalStateException("no cuDNN engine accepts " + shape + " (" + configs.size() + " tried)", last);
    }

    @Override
    public void close() {
        plans.values().forEach(p -> CudnnBackend.destroy(p.plan()));
        plans.clear();
    }
}
