package dev.turbojet.ffi.cublas;

/**
 * A row-major (batched) GEMM, the way the engine thinks of it: {@code D[m,n] = A[m,k] · B[k,n]},
 * or {@code A · Bᵀ} with B stored {@code [n,k]} when {@code bTransposed} (a PyTorch Linear weight),
 * then the epilogue (bias over n). Batches are {@code strideA/B/D} elements apart (0 for B
 * broadcasts one matrix to every batch). It is the key of the algorithm cache, so it holds no pointers.
 */
public record GemmShape(long m, long n, long k, int batch, long strideA, long strideB, long strideD,
                        DataType type, boolean bTransposed, Epilogue epilogue) {

    public GemmShape {
        if (m <= 0 || n <= 0 || k <= 0 || batch <= 0) {
            throw new IllegalArgumentException("GEMM sizes must be positive: m=" + m + " n=" + n + " k=" + k + " batch=" + batch);
        }
        if (type == DataType.F32) {
            throw new IllegalArgumentException("turbojet's GEMMs take fp16 or bf16 operands, not " + type);
        }
        if (batch > 1 && (strideA < m * k || strideD < m * n || (strideB != 0 && strideB < k * n))) {
            throw new IllegalArgumentException("batch strides overlap: " + strideA + "/" + strideB + "/" + strideD
                    + " for m=" + m + " n=" + n + " k=" + k);
        }
    }

    /** A single (unbatched) GEMM. */
    public static GemmShape of(long m, long n, long k, DataType type, boolean bTransposed, Epilogue epilogue) {
        return new GemmShape(m, n, k, 1, m * k, k * n, m * n, type, bTransposed, epilogue);
    }
}
