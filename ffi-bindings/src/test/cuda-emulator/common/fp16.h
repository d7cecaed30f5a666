// IEEE 754 binary16 ("half", CUDA_R_16F, CUDNN_DATA_HALF) and bfloat16 (CUDA_R_16BF, CUDNN_DATA_BFLOAT16)
// storage conversions, written from the formats' definitions:
//   binary16: 1 sign bit, 5 exponent bits (bias 15), 10 fraction bits; subnormals below 2^-14.
//   bfloat16: the upper 16 bits of an IEEE binary32.
// float -> 16 bit rounds to nearest, ties to even, like PTX cvt.rn.f16.f32 / cvt.rn.bf16.f32 (which
// keep subnormals: no .ftz); overflow gives infinity; a NaN gives the canonical NaN 0x7fff.
// 16 bit -> float is exact. Header-only: every emulated library and the device shim share it.
#pragma once

#include <cstdint>
#include <cstring>

namespace tjemu {

inline uint32_t float_bits(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}

inline float bits_float(uint32_t u) {
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

inline float half_to_float(uint16_t h) {
    const uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    const uint32_t exp = (h >> 10) & 0x1fu, frac = h & 0x3ffu;
    if (exp == 0x1f) return bits_float(sign | 0x7f800000u | (frac << 13));  // inf / NaN
    if (exp != 0) return bits_float(sign | ((exp + 112u) << 23) | (frac << 13));
    if (frac == 0) return bits_float(sign);
    // subnormal: frac * 2^-24, exact in binary32
    float v = (float)frac * 5.9604644775390625e-8f;
    return sign ? -v : v;
}

inline uint16_t float_to_half(float f) {
    const uint32_t x = float_bits(f);
    const uint16_t sign = (uint16_t)((x >> 16) & 0x8000u);
    const uint32_t a = x & 0x7fffffffu;
    if (a > 0x7f800000u) return 0x7fff;                     // NaN
    if (a >= 0x477ff000u) return sign | 0x7c00;             // >= 65520 (incl. inf) rounds to inf
    if (a >= 0x38800000u) {                                  // normal half: |f| >= 2^-14
        uint32_t h = (a - 0x38000000u) >> 13;                // rebias 127 -> 15, keep 10 fraction bits
        const uint32_t rest = a & 0x1fffu;
        if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) h++;
        return (uint16_t)(sign | h);
    }
    if (a <= 0x33000000u) return sign;                       // |f| <= 2^-25: ties to even give 0
    // subnormal half: value = m * 2^(e - 150) in units of 2^-24 is m >> (126 - e)
    const uint32_t e = a >> 23, m = (a & 0x7fffffu) | 0x800000u, shift = 126u - e;
    uint32_t h = m >> shift;
    const uint32_t rest = m & ((1u << shift) - 1u), half = 1u << (shift - 1u);
    if (rest > half || (rest == half && (h & 1u))) h++;
    return (uint16_t)(sign | h);
}

inline float bf16_to_float(uint16_t b) { return bits_float((uint32_t)b << 16); }

inline uint16_t float_to_bf16(float f) {
    const uint32_t x = float_bits(f);
    if ((x & 0x7fffffffu) > 0x7f800000u) return 0x7fff;      // NaN
    const uint32_t rounded = x + 0x7fffu + ((x >> 16) & 1u);  // ties to even; overflow carries into inf
    return (uint16_t)(rounded >> 16);
}

}  // namespace tjemu
