package dev.turbojet.ffi.cudnn;

import dev.turbojet.ffi.cuda.DevicePtr;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
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

    /**
     * A finalized execution plan, the workspace it needs, and every descriptor it was built from.
     * The backend documentation does not promise that a finalized plan copies what its engine
     * config, operation graph and tensors describe (cudnn-frontend keeps them alive for the plan's
     * lifetime too), so the plan owns them and {@link #close} destroys them after it.
     */
    public static final class Plan implements AutoCloseable {
        private final Descriptor plan;
        private final long workspaceBytes;
        private final List<Descriptor> sources;

        private Plan(Descriptor plan, long workspaceBytes, List<Descriptor> sources) {
            this.plan = plan;
            this.workspaceBytes = workspaceBytes;
            this.sources = sources;
        }

        public Descriptor plan() {
            return plan;
        }

        public long workspaceBytes() {
            return workspaceBytes;
        }

        /** Destroys the plan, then what it was built from, newest first; every step runs. */
        @Override
        public void close() {
            RuntimeException first = null;
            for (Descriptor d : concat(plan, sources)) {
                try {
                    CudnnBackend.destroy(d);
                } catch (RuntimeException e) {
                    if (first == null) first = e;
                }
            }
            if (first != null) throw first;
        }

        private static List<Descriptor> concat(Descriptor head, List<Descriptor> tail) {
            List<Descriptor> all = new ArrayList<>(tail.size() + 1);
            all.add(head);
            all.addAll(tail);
            return all;
        }
    }

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
        // Newest first, so that on failure and in Plan.close every descriptor outlives its users.
        Deque<Descriptor> owned = new ArrayDeque<>();
        try {
            Descriptor x = own(owned, ConvGraph.tensor(X_UID, shape.xDims(), shape.type()));
            Descriptor w = own(owned, ConvGraph.tensor(W_UID, shape.wDims(), shape.type()));
            Descriptor y = own(owned, ConvGraph.tensor(Y_UID, shape.yDims(), shape.type()));
            Descriptor conv = own(owned, ConvGraph.convolution(shape, CROSS_CORRELATION));
            Descriptor op = own(owned, ConvGraph.forward(x, w, y, conv));
            Descriptor graph = own(owned, CudnnBackend.create(DescriptorType.OPERATIONGRAPH));
            CudnnBackend.setDescriptors(graph, Attribute.OPERATIONGRAPH_OPS, op);
            CudnnBackend.setHandle(graph, Attribute.OPERATIONGRAPH_HANDLE, handle);
            CudnnBackend.finalize(graph);
            Descriptor heur = own(owned, CudnnBackend.create(DescriptorType.ENGINEHEUR));
            CudnnBackend.setDescriptors(heur, Attribute.ENGINEHEUR_OPERATION_GRAPH, graph);
            CudnnBackend.setEnum(heur, Attribute.ENGINEHEUR_MODE, HEUR_MODE_A);
            CudnnBackend.finalize(heur);
            List<Descriptor> configs = CudnnBackend.getDescriptors(heur, Attribute.ENGINEHEUR_RESULTS,
                    DescriptorType.ENGINECFG, MAX_CONFIGS);
            configs.forEach(c -> own(owned, c));
            if (configs.isEmpty()) {
                throw new IllegalStateException("cuDNN's heuristic (cudnnBackendGetAttribute of ENGINEHEUR_RESULTS, "
                        + "mode A) offered no engine for " + shape);
            }
            return firstThatFinalizes(shape, configs, owned);
        } catch (RuntimeException e) {
            owned.forEach(d -> destroyQuietly(d, e));
            throw e;
        }
    }

    private static Descriptor own(Deque<Descriptor> owned, Descriptor d) {
        owned.push(d);
        return d;
    }

    private static void destroyQuietly(Descriptor d, RuntimeException cause) {
        try {
            CudnnBackend.destroy(d);
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    /**
     * Heuristic order is best-first; some engines refuse a shape at finalize, so try the next.
     * The plan keeps the graph and the config it was finalized from; the configs it was not are
     * released at once.
     */
    private Plan firstThatFinalizes(ConvShape shape, List<Descriptor> configs, Deque<Descriptor> owned) {
        CudnnException last = null;
        for (Descriptor config : configs) {
            Descriptor plan = CudnnBackend.create(DescriptorType.EXECUTION_PLAN);
            try {
                CudnnBackend.setHandle(plan, Attribute.EXECUTION_PLAN_HANDLE, handle);
                CudnnBackend.setDescriptors(plan, Attribute.EXECUTION_PLAN_ENGINE_CONFIG, config);
                CudnnBackend.finalize(plan);
                long workspace = CudnnBackend.getLong(plan, Attribute.EXECUTION_PLAN_WORKSPACE_SIZE);
                for (Descriptor other : configs) {
                    if (other != config) {
                        owned.remove(other);
                        CudnnBackend.destroy(other);
                    }
                }
                return new Plan(plan, workspace, List.copyOf(owned));
            } catch (CudnnException e) {
                CudnnBackend.destroy(plan);
                last = e;
            }
        }
        throw new IllegalStateException("no cuDNN engine accepts " + shape + " (" + configs.size()
                + " engine configs from the heuristic refused it at plan finalize)", last);
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (Plan p : plans.values()) {
            try {
                p.close();
            } catch (RuntimeException e) {
                if (first == null) first = e;
            }
        }
        plans.clear();
        if (first != null) throw first;
    }
}
