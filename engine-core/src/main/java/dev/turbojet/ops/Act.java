package dev.turbojet.ops;

/** Pointwise activations the models use, fusable into norms and GEMM epilogues. */
public enum Act {
    /** identity */
    NONE,
    /** x * sigmoid(x) (torch.nn.SiLU) */
    SILU,
    /** exact GELU, 0.5 x (1 + erf(x / sqrt 2)) (torch.nn.functional.gelu, approximate="none") */
    GELU,
    /** x * sigmoid(1.702 x) (CLIP's quick_gelu) */
    QUICK_GELU,
    /** max(x, 0) (torch.nn.ReLU; TAESD) */
    RELU,
    /** tanh(x) (torch.tanh; TAESD's soft clamp tanh(x / 3) * 3) */
    TANH
}
