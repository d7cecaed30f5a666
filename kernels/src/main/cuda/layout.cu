// Layout kernels (pure data movement, any 16-bit element type).
//
//   nchw_to_nhwc:  y[n,h,w,c] = x[n,c,h,w]                 (x.permute(0, 2, 3, 1).contiguous())
//   nhwc_to_nchw:  y[n,c,h,w] = x[n,h,w,c]                 (x.permute(0, 3, 1, 2).contiguous())
//   upsample_nearest_nhwc: y[n,oh,ow,c] = x[n, min(floor(oh*H/OH), H-1), min(floor(ow*W/OW), W-1), c]
//                  (F.interpolate(x, size=(OH, OW) or scale_factor=2, mode="nearest"); PyTorch's
//                   scale is the float in/out ratio, reproduced here)
//   concat_channels_nhwc: y[p, :] = [a[p, 0:Ca] | b[p, 0:Cb]] for each pixel p
//                  (torch.cat([a, b], dim=1) on NCHW tensors stored NHWC)
//   pad_nhwc:      y[n, h+top, w+left, c] = x[n,h,w,c], `value` elsewhere
//                  (F.pad(x, (left, right, top, bottom), value=value)); value is the element's
//                  16-bit pattern in the low half of an unsigned int
// Elements are moved as unsigned short, so one entry point serves fp16 and bf16.
#include "common.cuh"

typedef unsigned short u16;

#define TJ_GRID_STRIDE_L(i, n) \
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < (n); i += (long long)gridDim.x * blockDim.x)

extern "C" __global__ void nchw_to_nhwc_16(u16* __restrict__ y, const u16* __restrict__ x, int n, int c, int h, int w) {
    const long long total = (long long)n * c * h * w;
    TJ_GRID_STRIDE_L(i, total) {  // i indexes y (NHWC)
        const int ch = (int)(i % c);
        const long long pix = i / c;
        const int xw = (int)(pix % w), xh = (int)((pix / w) % h), b = (int)(pix / ((long long)w * h));
        y[i] = x[(((long long)b * c + ch) * h + xh) * w + xw];
    }
}

extern "C" __global__ void nhwc_to_nchw_16(u16* __restrict__ y, const u16* __restrict__ x, int n, int c, int h, int w) {
    const long long total = (long long)n * c * h * w;
    TJ_GRID_STRIDE_L(i, total) {  // i indexes y (NCHW)
        const int xw = (int)(i % w), xh = (int)((i / w) % h), ch = (int)((i / ((long long)w * h)) % c);
        const int b = (int)(i / ((long long)w * h * c));
        y[i] = x[(((long long)b * h + xh) * w + xw) * c + ch];
    }
}

extern "C" __global__ void upsample_nearest_nhwc_16(u16* __restrict__ y, const u16* __restrict__ x, int n, int h, int w,
                                                    int c, int oh, int ow) {
    const float sh = (float)h / (float)oh, sw = (float)w / (float)ow;
    const long long total = (long long)n * oh * ow * c;
    TJ_GRID_STRIDE_L(i, total) {
        const int ch = (int)(i % c);
        const long long pix = i / c;
        const int yw = (int)(pix % ow), yh = (int)((pix / ow) % oh), b = (int)(pix / ((long long)ow * oh));
        const int xh = min((int)floorf(yh * sh), h - 1), xw = min((int)floorf(yw * sw), w - 1);
        y[i] = x[(((long long)b * h + xh) * w + xw) * c + ch];
    }
}

extern "C" __global__ void concat_channels_nhwc_16(u16* __restrict__ y, const u16* __restrict__ a,
                                                   const u16* __restrict__ b, long long pixels, int ca, int cb) {
    const int c = ca + cb;
    TJ_GRID_STRIDE_L(i, pixels * c) {
        const long long p = i / c;
        const int ch = (int)(i % c);
        y[i] = ch < ca ? a[p * ca + ch] : b[p * cb + (ch - ca)];
    }
}

extern "C" __global__ void pad_nhwc_16(u16* __restrict__ y, const u16* __restrict__ x, int n, int h, int w, int c,
                                       int top, int bottom, int left, int right, unsigned value) {
    const int oh = h + top + bottom, ow = w + left + right;
    const long long total = (long long)n * oh * ow * c;
    TJ_GRID_STRIDE_L(i, total) {
        const int ch = (int)(i % c);
        const long long pix = i / c;
        const int yw = (int)(pix % ow), yh = (int)((pix / ow) % oh), b = (int)(pix / ((long long)ow * oh));
        const int xh = yh - top, xw = yw - left;
        y[i] = (xh >= 0 && xh < h && xw >= 0 && xw < w) ? x[(((long long)b * h + xh) * w + xw) * c + ch] : (u16)value;
    }
}
