package dev.turbojet.tensor;

/**
 * A tensor handle made by the {@link dev.turbojet.ops.Ops} backend that owns it. Its logical
 * layout is the one PyTorch/diffusers use (NCHW images, [batch, tokens, features] sequences);
 * how a backend stores it physically is that backend's business. A handle is only valid with
 * the backend that made it.
 */
public interface Tensor {
    Shape shape();

    /** Storage element type (F32 on the CPU backend; F16/BF16 on the CUDA backend). */
    DType dtype();
}
