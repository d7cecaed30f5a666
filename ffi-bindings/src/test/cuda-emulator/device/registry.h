// Describes a host-compiled kernel to the emulated driver: its parameters as the C++ compiler sees
// them (so the driver copies exactly sizeof(param) bytes from each kernelParams slot, as a GPU driver
// does from the cubin's parameter table) and a thread entry that calls it with those arguments.
#pragma once

#include <type_traits>
#include <utility>

#include "kernel_abi.h"

namespace tjemu::dev {

template <typename T>
constexpr char pointee_code() {
    using P = std::remove_cv_t<T>;
    if constexpr (std::is_same_v<P, float>) return 'f';
    else if constexpr (std::is_same_v<P, double>) return 'd';
    else if constexpr (std::is_integral_v<P> && sizeof(P) == 4) return 'i';
    else if constexpr (std::is_integral_v<P> && sizeof(P) == 8) return 'l';
    else if constexpr (sizeof(P) == 2) return '2';  // 16-bit storage: fp16, bf16 or raw u16
    else if constexpr (sizeof(P) == 1) return '1';
    else return '?';
}

template <typename T>
constexpr ParamInfo param_info() {
    if constexpr (std::is_pointer_v<T>) {
        return ParamInfo{'p', (uint8_t)sizeof(T), (uint8_t)alignof(T), pointee_code<std::remove_pointer_t<T>>()};
    } else if constexpr (std::is_floating_point_v<T>) {
        return ParamInfo{'f', (uint8_t)sizeof(T), (uint8_t)alignof(T), 0};
    } else if constexpr (std::is_integral_v<T> || std::is_enum_v<T>) {
        return ParamInfo{std::is_signed_v<T> ? 'i' : 'u', (uint8_t)sizeof(T), (uint8_t)alignof(T), 0};
    } else {
        return ParamInfo{'s', (uint8_t)sizeof(T), (uint8_t)alignof(T), 0};
    }
}

template <auto F>
struct Kernel;

template <typename... A, void (*F)(A...)>
struct Kernel<F> {
    static_assert(sizeof...(A) <= MAX_KERNEL_PARAMS, "too many kernel parameters");

    template <size_t... I>
    static void call(void* const* args, std::index_sequence<I...>) {
        F(*static_cast<std::remove_cv_t<A>*>(args[I])...);
    }

    static void thread_main(void* const* args) { call(args, std::index_sequence_for<A...>{}); }

    static KernelInfo info(const char* name) {
        KernelInfo k{};
        k.name = name;
        k.param_count = (int)sizeof...(A);
        const ParamInfo params[] = {param_info<A>()..., ParamInfo{}};
        for (int i = 0; i < k.param_count; ++i) k.params[i] = params[i];
        k.thread_main = &thread_main;
        return k;
    }
};

}  // namespace tjemu::dev
