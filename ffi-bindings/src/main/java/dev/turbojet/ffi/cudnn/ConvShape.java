package dev.turbojet.ffi.cudnn;

/**
 * A 2-D forward convolution on NHWC tensors: input {@code [n, h, w, c]}, filter {@code [k, r, s, c]}
 * (KRSC, the NHWC filter layout), output {@code [n, outH, outW, k]}; fp16 or bf16 storage with fp32
 * accumulation. The key of the plan cache, so it holds no pointers.
 */
public record ConvShape(int n, int h, int w, int c, int k, int r, int s, int padH, int padW,
                        int strideH, int strideW, ConvDataType type) {

    public ConvShape {
        if (n <= 0 || h <= 0 || w <= 0 || c <= 0 || k <= 0 || r <= 0 || s <= 0 || strideH <= 0 || strideW <= 0
                || padH < 0 || padW < 0) {
            throw new IllegalArgumentException("bad convolution shape: " + this);
        }
        if (type == ConvDataType.FLOAT) {
            throw new IllegalArgumentException("turbojet's convolutions store fp16 or bf16, not " + type);
        }
        if (h + 2 * padH < r || w + 2 * padW < s) {
            throw new IllegalArgumentException("filter larger than padded input: " + this);
        }
    }

    /** A square-kernel convolution with "same"-style padding r/2, as every SDXL conv uses. */
    public static ConvShape of(int n, int h, int w, int c, int k, int kernel, int stride, ConvDataType type) {
        return new ConvShape(n, h, w, c, k, kernel, kernel, kernel / 2, kernel / 2, stride, stride, type);
    }

    public int outH() {
        return (h + 2 * padH - r) / strideH + 1;
    }

    public int outW() {
        return (w + 2 * padW - s) / strideW + 1;
    }

    /** Dimensions in cuDNN's logical NCHW order. */
    long[] xDims() {
        return new long[] {n, c, h, w};
    }

    long[] wDims() {
        return new long[] {k, c, r, s};
    }

    long[] yDims() {
        return new long[] {n, k, outH(), outW()};
    }

    /** Strides that make logical NCHW dims a physical NHWC (or KRSC) buffer. */
    static long[] nhwcStrides(long[] nchw) {
        long c = nchw[1];
        long h = nchw[2];
        long w = nchw[3];
        return new long[] {h * w * c, 1, w * c, c};
    }
}
