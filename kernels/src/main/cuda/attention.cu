// Scaled dot-product attention, fused (flash-attention style: online softmax, nothing N x N in memory).
//
//   torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=causal, scale=scale) with
//   q [B, Nq, H, D], k and v [B, Nk, H, D], out [B, Nq, H, D] (token-major, heads interleaved):
//     s[i,j] = scale * <q[i], k[j]>            (j > i masked to -inf when causal: CLIP's text mask)
//     p[i,j] = exp(s[i,j] - max_j s[i,j]) / sum_j exp(s[i,j] - max_j s[i,j])
//     out[i] = sum_j p[i,j] v[j]
//   computed one key tile at a time, keeping per row the running max m, the running sum l and an
//   unnormalised accumulator o: on a new tile with row max m', o and l are rescaled by
//   exp(m - m') before adding the tile's exp(s - m') terms; out = o / l at the end.
//
// attention_d{40,64,80,128}_{f16,bf16}: tensor cores (mma.sync m16n8k16, fp32 accumulators).
//   A block is 4 warps; each warp owns 16 query rows, the block 64. K and V tiles of 64 keys are
//   staged in shared memory (head dim zero-padded to a multiple of 16, which leaves dot products
//   unchanged). Fragment layouts follow the PTX ISA's description of mma.m16n8k16:
//   lane = 4 * g + t; A (16x16, row-major) regs: (g, 2t..2t+1), (g+8, 2t..), (g, 2t+8..), (g+8, 2t+8..);
//   B (16x8, "col": element (k, n)) regs: (2t..2t+1, g), (2t+8..2t+9, g);
//   C (16x8 fp32): (g, 2t), (g, 2t+1), (g+8, 2t), (g+8, 2t+1).
// attention_generic_{f16,bf16}: any head dim up to 512 (the VAE's single 512-wide head), one warp
//   per query row, CUDA cores.
#include "common.cuh"

namespace tj_attn {

// c += a * b on one 16x8x16 tile.
__device__ __forceinline__ void mma16816(float c[4], const unsigned a[4], unsigned b0, unsigned b1, tj::f16) {
#ifdef TJ_HOST_EMULATION
    const unsigned b[2] = {b0, b1};
    tjemu::ptx::mma_m16n8k16_f32(c, a, b, c, false);
#else
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
                 : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
#endif
}
__device__ __forceinline__ void mma16816(float c[4], const unsigned a[4], unsigned b0, unsigned b1, tj::bf16) {
#ifdef TJ_HOST_EMULATION
    const unsigned b[2] = {b0, b1};
    tjemu::ptx::mma_m16n8k16_f32(c, a, b, c, true);
#else
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
                 : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
#endif
}

constexpr int WARPS = 4;
constexpr int Q_TILE = 16 * WARPS;
constexpr int K_TILE = 64;
constexpr float LOG2E = 1.4426950408889634f;

template <typename T, int D>
__device__ void flash_impl(T* __restrict__ out, const T* __restrict__ q, const T* __restrict__ k,
                           const T* __restrict__ v, int nq, int nk, int heads, float scale, int causal) {
    constexpr int DP = (D + 15) / 16 * 16;  // head dim padded for k16 steps
    constexpr int KS = DP / 16;              // k16 steps over the head dim
    constexpr int DN = DP / 8;               // n8 blocks over the head dim
    constexpr int PAD = 8;                   // shared row padding (elements) against bank conflicts
    __shared__ T ks[K_TILE][DP + PAD];
    __shared__ T vs[K_TILE][DP + PAD];

    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
    const int b = blockIdx.z, h = blockIdx.y;
    const long long tok = (long long)heads * D;  // distance between consecutive tokens
    const T* qb = q + (long long)b * nq * tok + (long long)h * D;
    const T* kb = k + (long long)b * nk * tok + (long long)h * D;
    const T* vb = v + (long long)b * nk * tok + (long long)h * D;
    T* ob = out + (long long)b * nq * tok + (long long)h * D;
    const int row0 = blockIdx.x * Q_TILE + warp * 16 + g;  // this thread's rows: row0 and row0 + 8
    const T zero = tj::from_f32<T>(0.f);

    auto qat = [&](int row, int col) { return (row < nq && col < D) ? qb[row * tok + col] : zero; };
    unsigned qa[KS][4];
    for (int s = 0; s < KS; ++s) {
        const int c = s * 16 + 2 * t;
        qa[s][0] = tj::pack2(qat(row0, c), qat(row0, c + 1));
        qa[s][1] = tj::pack2(qat(row0 + 8, c), qat(row0 + 8, c + 1));
        qa[s][2] = tj::pack2(qat(row0, c + 8), qat(row0, c + 9));
        qa[s][3] = tj::pack2(qat(row0 + 8, c + 8), qat(row0 + 8, c + 9));
    }

    float o[DN][4];
    for (int n = 0; n < DN; ++n) o[n][0] = o[n][1] = o[n][2] = o[n][3] = 0.f;
    float m[2] = {tj::neg_inf(), tj::neg_inf()}, l[2] = {0.f, 0.f};
    const float scale2 = scale * LOG2E;  // exp(x) = exp2(x * log2 e)
    const int key_end = causal ? min(nk, (int)(blockIdx.x + 1) * Q_TILE) : nk;

    for (int k0 = 0; k0 < key_end; k0 += K_TILE) {
        __syncthreads();  // the previous tile is no longer read
        for (int i = threadIdx.x; i < K_TILE * DP; i += blockDim.x) {
            const int r = i / DP, c = i % DP, key = k0 + r;
            const bool in = key < nk && c < D;
            ks[r][c] = in ? kb[key * tok + c] : zero;
            vs[r][c] = in ? vb[key * tok + c] : zero;
        }
        __syncthreads();

        // s = q k^T for this warp's 16 rows and the tile's 64 keys (8 n8 blocks).
        float s[K_TILE / 8][4];
        for (int n = 0; n < K_TILE / 8; ++n) {
            s[n][0] = s[n][1] = s[n][2] = s[n][3] = 0.f;
            const T* krow = ks[n * 8 + g];
            for (int kk = 0; kk < KS; ++kk) {
                const int c = kk * 16 + 2 * t;
                mma16816(s[n], qa[kk], tj::pack2(krow[c], krow[c + 1]), tj::pack2(krow[c + 8], krow[c + 9]), zero);
            }
        }

        // Scale (in log2 units), mask, and the tile's row maxima.
        float tile_max[2] = {tj::neg_inf(), tj::neg_inf()};
        for (int n = 0; n < K_TILE / 8; ++n) {
            for (int e = 0; e < 4; ++e) {
                const int key = k0 + n * 8 + 2 * t + (e & 1);
                const int row = row0 + (e >> 1) * 8;
                const bool masked = key >= nk || (causal && key > row);
                s[n][e] = masked ? tj::neg_inf() : s[n][e] * scale2;
                tile_max[e >> 1] = fmaxf(tile_max[e >> 1], s[n][e]);
            }
        }
        float alpha[2];
        for (int r = 0; r < 2; ++r) {  // the 4 threads of a group share a row
            tile_max[r] = fmaxf(tile_max[r], __shfl_xor_sync(0xffffffffu, tile_max[r], 1));
            tile_max[r] = fmaxf(tile_max[r], __shfl_xor_sync(0xffffffffu, tile_max[r], 2));
            const float m_new = fmaxf(m[r], tile_max[r]);
            // A row with every key masked so far keeps m = -inf; subtract 0 instead to avoid inf - inf.
            const float m_use = m_new == tj::neg_inf() ? 0.f : m_new;
            alpha[r] = exp2f(m[r] - m_use);
            m[r] = m_new;
            tile_max[r] = m_use;
        }
        float row_sum[2] = {0.f, 0.f};
        for (int n = 0; n < K_TILE / 8; ++n) {
            for (int e = 0; e < 4; ++e) {
                s[n][e] = exp2f(s[n][e] - tile_max[e >> 1]);
                row_sum[e >> 1] += s[n][e];
            }
        }
        for (int r = 0; r < 2; ++r) l[r] = l[r] * alpha[r] + row_sum[r];  // per-thread partial sums
        for (int n = 0; n < DN; ++n) {
            o[n][0] *= alpha[0]; o[n][1] *= alpha[0];
            o[n][2] *= alpha[1]; o[n][3] *= alpha[1];
        }

        // o += p v: p's C fragments of n8 blocks 2j and 2j+1 are exactly the A fragment of k16 step j.
        for (int j = 0; j < K_TILE / 16; ++j) {
            unsigned pa[4];
            pa[0] = tj::pack2(tj::from_f32<T>(s[2 * j][0]), tj::from_f32<T>(s[2 * j][1]));
            pa[1] = tj::pack2(tj::from_f32<T>(s[2 * j][2]), tj::from_f32<T>(s[2 * j][3]));
            pa[2] = tj::pack2(tj::from_f32<T>(s[2 * j + 1][0]), tj::from_f32<T>(s[2 * j + 1][1]));
            pa[3] = tj::pack2(tj::from_f32<T>(s[2 * j + 1][2]), tj::from_f32<T>(s[2 * j + 1][3]));
            const int key = j * 16 + 2 * t;
            for (int n = 0; n < DN; ++n) {
                const int col = n * 8 + g;
                mma16816(o[n], pa, tj::pack2(vs[key][col], vs[key + 1][col]), tj::pack2(vs[key + 8][col], vs[key + 9][col]),
                         zero);
            }
        }
    }

    for (int r = 0; r < 2; ++r) {
        l[r] += __shfl_xor_sync(0xffffffffu, l[r], 1);
        l[r] += __shfl_xor_sync(0xffffffffu, l[r], 2);
    }
    const float inv0 = l[0] > 0.f ? 1.f / l[0] : 0.f, inv1 = l[1] > 0.f ? 1.f / l[1] : 0.f;
    for (int n = 0; n < DN; ++n) {
        const int col = n * 8 + 2 * t;
        for (int e = 0; e < 2; ++e) {
            if (col + e >= D) continue;
            if (row0 < nq) ob[row0 * tok + col + e] = tj::from_f32<T>(o[n][e] * inv0);
            if (row0 + 8 < nq) ob[(row0 + 8) * tok + col + e] = tj::from_f32<T>(o[n][2 + e] * inv1);
        }
    }
}

constexpr int GENERIC_MAX_D = 512;

// One warp per (batch, head, query row); lane holds output dims lane, lane + 32, ...
template <typename T>
__device__ void generic_impl(T* __restrict__ out, const T* __restrict__ q, const T* __restrict__ k,
                             const T* __restrict__ v, int batch, int nq, int nk, int heads, int d, float scale,
                             int causal) {
    const int lane = threadIdx.x & 31;
    const long long job = (long long)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    if (job >= (long long)batch * heads * nq) return;
    const int row = (int)(job % nq), h = (int)((job / nq) % heads), b = (int)(job / ((long long)nq * heads));
    const long long tok = (long long)heads * d;
    const T* qr = q + ((long long)b * nq + row) * tok + (long long)h * d;
    const T* kb = k + (long long)b * nk * tok + (long long)h * d;
    const T* vb = v + (long long)b * nk * tok + (long long)h * d;

    float acc[GENERIC_MAX_D / 32];
    for (int i = 0; i < GENERIC_MAX_D / 32; ++i) acc[i] = 0.f;
    float m = tj::neg_inf(), l = 0.f;
    const int key_end = causal ? min(nk, row + 1) : nk;
    for (int j = 0; j < key_end; ++j) {
        float dot = 0.f;
        for (int c = lane; c < d; c += 32) dot += tj::to_f32(qr[c]) * tj::to_f32(kb[j * tok + c]);
        const float s = tj::warp_sum(dot) * scale;
        const float m_new = fmaxf(m, s);
        const float alpha = __expf(m - m_new), p = __expf(s - m_new);
        l = l * alpha + p;
        for (int c = lane, i = 0; c < d; c += 32, ++i) acc[i] = acc[i] * alpha + p * tj::to_f32(vb[j * tok + c]);
        m = m_new;
    }
    T* orow = out + ((long long)b * nq + row) * tok + (long long)h * d;
    for (int c = lane, i = 0; c < d; c += 32, ++i) orow[c] = tj::from_f32<T>(l > 0.f ? acc[i] / l : 0.f);
}

}  // namespace tj_attn

template <typename T> __device__ void attention_d40_impl(T* o, const T* q, const T* k, const T* v, int nq, int nk, int h, float s, int c) {
    tj_attn::flash_impl<T, 40>(o, q, k, v, nq, nk, h, s, c);
}
template <typename T> __device__ void attention_d64_impl(T* o, const T* q, const T* k, const T* v, int nq, int nk, int h, float s, int c) {
    tj_attn::flash_impl<T, 64>(o, q, k, v, nq, nk, h, s, c);
}
template <typename T> __device__ void attention_d80_impl(T* o, const T* q, const T* k, const T* v, int nq, int nk, int h, float s, int c) {
    tj_attn::flash_impl<T, 80>(o, q, k, v, nq, nk, h, s, c);
}
template <typename T> __device__ void attention_d128_impl(T* o, const T* q, const T* k, const T* v, int nq, int nk, int h, float s, int c) {
    tj_attn::flash_impl<T, 128>(o, q, k, v, nq, nk, h, s, c);
}
template <typename T>
__device__ void attention_generic_impl(T* o, const T* q, const T* k, const T* v, int b, int nq, int nk, int h, int d,
                                       float s, int c) {
    tj_attn::generic_impl<T>(o, q, k, v, b, nq, nk, h, d, s, c);
}

// grid (ceil(nq / 64), heads, batch), block 128 threads.
#define FLASH_PARAMS(T) (T* out, const T* q, const T* k, const T* v, int nq, int nk, int heads, float scale, int causal)
TJ_F16_BF16(attention_d40, FLASH_PARAMS, (out, q, k, v, nq, nk, heads, scale, causal))
TJ_F16_BF16(attention_d64, FLASH_PARAMS, (out, q, k, v, nq, nk, heads, scale, causal))
TJ_F16_BF16(attention_d80, FLASH_PARAMS, (out, q, k, v, nq, nk, heads, scale, causal))
TJ_F16_BF16(attention_d128, FLASH_PARAMS, (out, q, k, v, nq, nk, heads, scale, causal))

// grid ceil(batch * heads * nq / warps per block), one warp per query row.
#define GENERIC_PARAMS(T) \
    (T* out, const T* q, const T* k, const T* v, int batch, int nq, int nk, int heads, int d, float scale, int causal)
TJ_F16_BF16(attention_generic, GENERIC_PARAMS, (out, q, k, v, batch, nq, nk, heads, d, scale, causal))
