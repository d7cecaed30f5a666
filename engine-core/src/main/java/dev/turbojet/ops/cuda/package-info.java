/**
 * The CUDA backend: device tensors in fp16/bf16/fp32, cuBLASLt GEMMs, cuDNN convolutions,
 * turbojet's kernels, CUDA graphs. The only engine package that touches the native bindings.
 *
 * <p>May depend on: {@code tensor}, {@code io}, {@code ops}, {@code kernels}, {@code ffi},
 * {@code ffi.cuda}, {@code ffi.cublas}, {@code ffi.cudnn}.
 */
package dev.turbojet.ops.cuda;
