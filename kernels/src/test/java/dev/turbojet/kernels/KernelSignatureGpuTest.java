package dev.turbojet.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.turbojet.ffi.GpuTests;
import dev.turbojet.ffi.Lib;
import dev.turbojet.ffi.Native;
import dev.turbojet.ffi.NativeLibraries;
import dev.turbojet.ffi.cuda.DevicePtr;
import dev.turbojet.ffi.cuda.KernelArgs;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every launcher's argument list against its kernel's C++ parameter list, as the compiler sees the
 * .cu source (the CUDA emulator's host build reports it): the same count, and each argument the
 * width and kind of its parameter (a 4-byte int, an 8-byte long long, a float, a pointer). A
 * mismatch here would make a real GPU read the wrong bytes for every later parameter. Runs on the
 * emulator only (a real driver does not describe kernel parameters).
 */
class KernelSignatureGpuTest {
    private static final DevicePtr P = new DevicePtr(0x100000);

    @BeforeEach
    void emulator() {
        assumeTrue(GpuTests.skipReason().isEmpty(), () -> GpuTests.skipReason().orElse(""));
        assumeTrue(GpuTests.emulated(), "kernel signatures come from the CUDA emulator's host build");
    }

    /** One launch of every launcher, every kernel variant. */
    static List<Launch> everyLaunch() {
        List<Launch> out = new ArrayList<>();
        for (ElementType t : ElementType.values()) {
            for (ElementwiseKernels.Binary b : ElementwiseKernels.Binary.values()) out.add(ElementwiseKernels.binary(b, t, P, P, P, 10));
            for (ElementwiseKernels.Unary u : ElementwiseKernels.Unary.values()) out.add(ElementwiseKernels.unary(u, t, P, P, 10));
            out.add(ElementwiseKernels.addRow(t, P, P, P, 10, 5));
            out.add(ElementwiseKernels.addBatchChannel(t, P, P, P, 2, 3, 4));
            out.add(ElementwiseKernels.scale(t, P, P, 0.5f, 10));
            out.add(ElementwiseKernels.geglu(t, P, P, 2, 4));
            out.add(ElementwiseKernels.fromF32(t, P, P, 10));
            out.add(ElementwiseKernels.toF32(t, P, P, 10));
            out.add(NormKernels.groupNorm(t, P, P, P, P, 1, 16, 64, 32, 1e-5f, true));
            out.add(NormKernels.layerNorm(t, P, P, P, P, 4, 64, 1e-5f));
            out.add(NormKernels.softmax(t, P, P, 4, 64));
            out.add(EmbeddingKernels.timestep(t, P, P, 2, 320));
            for (EmbeddingKernels.IdType id : EmbeddingKernels.IdType.values()) out.add(EmbeddingKernels.lookup(t, id, P, P, P, 4, 8, 10));
            for (int d : new int[] {40, 64, 80, 128, 32}) {
                out.add(AttentionKernel.plan(t, P, new DevicePtr(0x200000), new DevicePtr(0x300000), new DevicePtr(0x400000),
                        AttentionKernel.Shape.of(1, 77, 77, 2, d, false)));
            }
            out.add(LayoutKernels.pad(t, P, new DevicePtr(0x200000), 1, 4, 4, 8, 1, 1, 1, 1, 0f));
        }
        out.add(LayoutKernels.nchwToNhwc(P, new DevicePtr(0x200000), 1, 8, 4, 4));
        out.add(LayoutKernels.nhwcToNchw(P, new DevicePtr(0x200000), 1, 8, 4, 4));
        out.add(LayoutKernels.upsampleNearest(P, P, 1, 4, 4, 8, 8, 8));
        out.add(LayoutKernels.concatChannels(P, P, P, 16, 8, 4));
        return out;
    }

    @Test
    void everyLauncherPassesWhatItsKernelDeclares() throws Throwable {
        Set<String> launched = new TreeSet<>();
        List<String> problems = new ArrayList<>();
        for (Launch l : everyLaunch()) {
            launched.add(l.kernel());
            String signature = signature(l.kernel());
            String[] params = signature.isEmpty() ? new String[0] : signature.split(",");
            List<KernelArgs.Arg> args = l.args().args();
            if (params.length != args.size()) {
                problems.add(l.kernel() + ": " + args.size() + " arguments for " + params.length + " parameters (" + signature + ")");
                continue;
            }
            for (int i = 0; i < params.length; i++) {
                String want = switch (args.get(i)) {
                    case KernelArgs.I32 a -> "i4|u4";
                    case KernelArgs.I64 a -> "i8|u8";
                    case KernelArgs.F32 a -> "f4";
                    case KernelArgs.Ptr a -> "p8";
                };
                String kind = params[i].contains(":") ? params[i].substring(0, params[i].indexOf(':')) : params[i];
                if (!Set.of(want.split("\\|")).contains(kind)) {
                    problems.add(l.kernel() + " parameter " + i + ": the launcher passes " + args.get(i).getClass().getSimpleName()
                            + ", the kernel declares " + params[i] + " (" + signature + ")");
                }
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        // every turbojet kernel of the host build is reached by some launcher
        Set<String> unused = new TreeSet<>(turbojetKernels());
        unused.removeAll(launched);
        assertEquals(Set.of(), unused, "kernels no launcher covers (add them to everyLaunch)");
    }

    private static String signature(String kernel) throws Throwable {
        MethodHandle h = Native.bind(NativeLibraries.get(Lib.CUDA).symbols(), "tjemuKernelSignature",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(1024);
            int n = (int) h.invokeExact(arena.allocateFrom(kernel), out, 1024L);
            assertTrue(n >= 0, "the emulator has no host build of kernel " + kernel);
            return out.getString(0);
        }
    }

    private static Set<String> turbojetKernels() throws Throwable {
        MethodHandle h = Native.bind(NativeLibraries.get(Lib.CUDA).symbols(), "tjemuKernelNames",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(1 << 16);
            int n = (int) h.invokeExact(out, (long) (1 << 16));
            assertTrue(n > 0, "the emulator has no kernels");
            Set<String> names = new TreeSet<>(List.of(out.getString(0).split("\n")));
            names.removeIf(name -> name.startsWith("t_") || name.isBlank());  // the emulator's own self-test kernels
            return names;
        }
    }
}
