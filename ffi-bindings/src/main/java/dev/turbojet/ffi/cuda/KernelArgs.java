package dev.turbojet.ffi.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The arguments of one kernel launch, in the kernel's parameter order, packed into the
 * {@code void** kernelParams} array cuLaunchKernel wants: one pointer per parameter, each
 * pointing at a copy of the value with the C type's size and alignment.
 *
 * <pre>{@code KernelArgs.of().ptr(out).ptr(in).i32(n).f32(eps)}</pre>
 */
public final class KernelArgs {
    /** One parameter: its C type and value. */
    public sealed interface Arg permits I32, I64, F32, Ptr {}

    public record I32(int value) implements Arg {}

    public record I64(long value) implements Arg {}

    public record F32(float value) implements Arg {}

    public record Ptr(DevicePtr value) implements Arg {}

    private final List<Arg> args = new ArrayList<>();

    private KernelArgs() {}

    public static KernelArgs of() {
        return new KernelArgs();
    }

    public KernelArgs i32(int v) {
        args.add(new I32(v));
        return this;
    }

    public KernelArgs i64(long v) {
        args.add(new I64(v));
        return this;
    }

    public KernelArgs f32(float v) {
        args.add(new F32(v));
        return this;
    }

    public KernelArgs ptr(DevicePtr p) {
        args.add(new Ptr(p));
        return this;
    }

    public List<Arg> args() {
        return List.copyOf(args);
    }

    public int size() {
        return args.size();
    }

    /** The {@code void*[size()]} array, and the values it points at, allocated in {@code arena}. */
    public MemorySegment pack(Arena arena) {
        MemorySegment params = arena.allocate(ADDRESS, Math.max(1, args.size()));
        for (int i = 0; i < args.size(); i++) {
            MemorySegment slot = switch (args.get(i)) {
                case I32 a -> arena.allocateFrom(JAVA_INT, a.value());
                case I64 a -> arena.allocateFrom(JAVA_LONG, a.value());
                case F32 a -> arena.allocateFrom(JAVA_FLOAT, a.value());
                case Ptr a -> arena.allocateFrom(JAVA_LONG, a.value().address());
            };
            params.setAtIndex(ADDRESS, i, slot);
        }
        return params;
    }
}
