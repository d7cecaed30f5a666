package dev.turbojet.ops;

import dev.turbojet.io.TensorView;
import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;
import dev.turbojet.tensor.Tensor;

/**
 * Every operation the SDXL models compute, in PyTorch's logical layouts: images NCHW, token
 * sequences [batch, tokens, features], linear weights [out, in], conv weights [out, in, kh, kw].
 * A backend may store tensors in another physical layout (the CUDA backend keeps NHWC) as long as
 * these methods behave as documented on the logical shapes. Results are new tensors; inputs are
 * never modified. Shape mismatches throw {@link IllegalArgumentException} naming the op and shapes.
 *
 * <p>Models call only this interface; {@code CpuOps} (fp32, the reference) and {@code CudaOps}
 * implement it, and decorators (tracing, profiling, counting) wrap it.
 */
public interface Ops extends AutoCloseable {

    /** A one-line description of the backend ("cpu fp32, 2 threads"). */
    String describe();

    /**
     * Releases what the backend holds (device memory, library handles, the context); it must not be used
     * after. Closing twice does nothing. The CPU backend holds nothing, so the default does nothing, and a
     * decorator closes the backend it decorates.
     */
    @Override
    default void close() {
    }

    /**
     * A timer for this backend's ops ({@link OpTimer}): the wall clock, right for a backend that finishes
     * an op before returning; a backend with asynchronous work records events on its stream instead.
     */
    default OpTimer timer() {
        return OpTimer.wallClock();
    }

    /**
     * Device memory in use now, total minus free as the driver reports it (every process's); empty for a
     * backend that keeps its tensors in host memory.
     */
    default java.util.OptionalLong deviceMemoryInUse() {
        return java.util.OptionalLong.empty();
    }

    /**
     * The memory ceiling of a profile, measured now: bytes read plus bytes written per second by a large
     * copy in the memory this backend keeps tensors in. The default copies 256 MB of host memory with
     * System.arraycopy, best of five.
     */
    default CopyRate measureCopyRate() {
        return CopyRate.host();
    }

    /**
     * A second backend on the same device that stores {@code storage}, owned (and closed) by the caller;
     * the SDXL VAE, which overflows in fp16, runs on a bf16 one beside an fp16 backend. Fails with
     * {@link UnsupportedOperationException} where the backend cannot store that type.
     */
    default Ops withStorage(DType storage) {
        throw new UnsupportedOperationException(describe() + " stores " + storageType() + " only, not " + storage);
    }

    /** The element type activations are stored in (F32 on the CPU; F16 or BF16 on a GPU). */
    default DType storageType() {
        return DType.F32;
    }

    /**
     * Opens a pass, a unit of work such as one generation: every tensor made after this call, weights
     * excepted, may be released when the returned scope closes, and must not be used after. Backends
     * that allocate from an arena (CUDA) reset it there; the CPU backend leaves tensors to the GC.
     */
    default Pass pass() {
        return () -> { };
    }

    /** The scope of a {@link #pass()}; closing it ends the pass. */
    interface Pass extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * {@code body} made ready to run again and again on new inputs of the shapes and layouts of
     * {@code inputs}. {@code body} must be device work only on its arguments and on weights: no upload,
     * download or host value that changes between runs. A backend that can record device work captures
     * it once and replays it (CUDA: one graph launch instead of a launch per kernel); the default runs
     * {@code body} every time. The result of each run is a tensor of the current pass.
     */
    default Replayable prepare(String what, java.util.List<Tensor> inputs, java.util.function.Function<java.util.List<Tensor>, Tensor> body) {
        return body::apply;
    }

    /** What {@link #prepare} returns. */
    interface Replayable extends AutoCloseable {
        /** {@code body} on these inputs. */
        Tensor run(java.util.List<Tensor> inputs);

        /** Releases what the recording holds (device memory); the backend's close does it too. */
        @Override
        default void close() {
        }
    }

    // ---- data movement -------------------------------------------------------------------------

    /** Binds checkpoint data as a backend tensor, once at load (CPU: a view or widened copy; CUDA: an upload). */
    Tensor weight(TensorView view);

    /** Copies a host fp32 tensor into the backend. */
    Tensor upload(HostTensor host);

    /** Copies a backend tensor out as fp32 (waits for pending work). */
    HostTensor download(Tensor t);

    // ---- convolution and linear ----------------------------------------------------------------

    /**
     * 2-D cross-correlation as torch.nn.functional.conv2d, groups 1, dilation 1.
     * x [N, Cin, H, W], weight [Cout, Cin, kh, kw], bias [Cout] or null -> [N, Cout, Ho, Wo] with
     * Ho = (H + 2 padding - kh) / stride + 1 (likewise Wo).
     */
    Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding);

    /** x [..., in], weight [out, in], bias [out] or null -> [..., out]: y = x W^T + b. */
    Tensor linear(Tensor x, Tensor weight, Tensor bias);

    /** linear without bias. */
    default Tensor linear(Tensor x, Tensor weight) {
        return linear(x, weight, null);
    }

    // ---- normalisation -------------------------------------------------------------------------

    /**
     * torch.nn.GroupNorm over x [N, C, *spatial] (statistics per sample and group over C/groups
     * channels and every spatial position, biased variance), affine gamma/beta [C], then {@code act}
     * (NONE or SILU, fused).
     */
    Tensor groupNorm(Tensor x, Tensor gamma, Tensor beta, int groups, float eps, Act act);

    /** torch.nn.LayerNorm over the last dim of x [..., C] with gamma/beta [C]. */
    Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps);

    // ---- attention -----------------------------------------------------------------------------

    /**
     * Multi-head scaled dot-product attention. q [B, Nq, heads*d], k and v [B, Nk, heads*d]
     * -> [B, Nq, heads*d]; per head softmax(q k^T / sqrt(d)) v, heads laid out as contiguous
     * groups of d features (diffusers' head_to_batch_dim). {@code causal}: query i sees keys 0..i
     * (CLIP's text encoder).
     */
    Tensor attention(Tensor q, Tensor k, Tensor v, int heads, boolean causal);

    // ---- pointwise -----------------------------------------------------------------------------

    /** act(x) elementwise. */
    Tensor activation(Tensor x, Act act);

    default Tensor silu(Tensor x) {
        return activation(x, Act.SILU);
    }

    /** diffusers GEGLU after its projection: x [..., 2F] -> x[..., :F] * gelu(x[..., F:]) (exact erf). */
    Tensor geglu(Tensor x);

    /** a + b, where b has a's shape or broadcasts to it (numpy rules). */
    Tensor add(Tensor a, Tensor b);

    /** a * b, where b has a's shape or broadcasts to it (numpy rules). */
    Tensor mul(Tensor a, Tensor b);

    /** x * s + shift elementwise. */
    Tensor affine(Tensor x, float s, float shift);

    default Tensor scale(Tensor x, float s) {
        return affine(x, s, 0f);
    }

    /** x [N, C, *spatial] + v [N, C], v broadcast over the spatial dims (a resnet's time embedding). */
    Tensor addChannelVector(Tensor x, Tensor v);

    // ---- shape ---------------------------------------------------------------------------------

    /** The same elements in row-major order under a new shape of equal size. */
    Tensor reshape(Tensor x, Shape shape);

    /** torch.permute: output dim i is input dim {@code dims[i]}. */
    Tensor permute(Tensor x, int... dims);

    /** torch.cat along {@code dim}; every other dim equal. */
    Tensor concat(int dim, Tensor... xs);

    /** x[..., start:end, ...] along {@code dim}. */
    Tensor slice(Tensor x, int dim, long start, long end);

    /** Nearest-neighbour resize of x [N, C, H, W] to [N, C, outH, outW] (F.interpolate mode="nearest"). */
    Tensor upsampleNearest(Tensor x, int outH, int outW);

    /** Zero padding of x [N, C, H, W] by the given amounts on each side (F.pad(x, (left, right, top, bottom))). */
    Tensor pad2d(Tensor x, int left, int right, int top, int bottom);

    // ---- embeddings ----------------------------------------------------------------------------

    /**
     * diffusers get_timestep_embedding, computed in fp32: t [N] -> [N, dim] with half = dim / 2,
     * freq_i = exp(-ln(maxPeriod) * i / (half - downscaleFreqShift)), args = t * freq, output
     * [sin, cos] or, with {@code flipSinToCos}, [cos, sin].
     */
    Tensor timestepEmbedding(float[] t, int dim, boolean flipSinToCos, float downscaleFreqShift, float maxPeriod);

    /** Rows of table [V, C] picked by ids [B, T] -> [B, T, C]; an id outside [0, V) is an error. */
    Tensor embedding(Tensor table, int[][] ids);

    /** One row per batch entry: x [B, T, C] and index [B] -> [B, C] with out[b] = x[b, index[b]]. */
    Tensor gatherRows(Tensor x, int[] index);

    // ---- observation ---------------------------------------------------------------------------

    /**
     * Names an activation by its module path ("down_blocks.1.resnets.0"); returns {@code t}.
     * Backends ignore it; tracing and profiling decorators record it.
     */
    default Tensor mark(String path, Tensor t) {
        return t;
    }
}
