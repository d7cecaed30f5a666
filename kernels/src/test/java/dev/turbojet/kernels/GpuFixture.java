package dev.turbojet.kernels;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.turbojet.ffi.cuda.CudaDriver;
import dev.turbojet.ffi.cuda.CudaMemory;
import dev.turbojet.ffi.cuda.CudaStreams;
import dev.turbojet.ffi.cuda.DeviceAllocation;
import dev.turbojet.ffi.cuda.DevicePtr;
import dev.turbojet.ffi.cuda.Stream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** A context, a stream, the kernel image, and upload/download helpers for kernel tests on a GPU. */
final class GpuFixture implements AutoCloseable {
    final KernelImage image;
    private final Stream stream;
    private final List<DeviceAllocation> allocations = new ArrayList<>();

    GpuFixture() {
        NvrtcLibrary.configure();  // only used when the build packaged no fatbin
        var context = CudaDriver.retainPrimaryContext(CudaDriver.device(0));
        image = KernelImage.load(CudaDriver.info(context.device()));
        stream = CudaStreams.createStream();
    }

    static float[] random(long seed, int n) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    static short encode(ElementType t, float v) {
        return t.bits(v);
    }

    static float decode(ElementType t, short bits) {
        return t == ElementType.F16 ? Float.float16ToFloat(bits) : Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** What the GPU sees after storing {@code a} as {@code t}. */
    static float[] rounded(ElementType t, float[] a) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = decode(t, encode(t, a[i]));
        }
        return out;
    }

    DevicePtr alloc(long bytes) {
        DeviceAllocation a = CudaMemory.alloc(Math.max(bytes, 16));
        allocations.add(a);
        return a.ptr();
    }

    DevicePtr upload(ElementType t, float[] a) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(JAVA_SHORT, a.length);
            for (int i = 0; i < a.length; i++) {
                s.setAtIndex(JAVA_SHORT, i, encode(t, a[i]));
            }
            DevicePtr p = alloc(s.byteSize());
            CudaMemory.copyToDevice(p, s);
            return p;
        }
    }

    DevicePtr uploadF32(float[] a) {
        try (Arena arena = Arena.ofConfined()) {
            DevicePtr p = alloc(a.length * 4L);
            CudaMemory.copyToDevice(p, arena.allocateFrom(JAVA_FLOAT, a));
            return p;
        }
    }

    DevicePtr uploadInts(int[] a) {
        try (Arena arena = Arena.ofConfined()) {
            DevicePtr p = alloc(a.length * 4L);
            CudaMemory.copyToDevice(p, arena.allocateFrom(JAVA_INT, a));
            return p;
        }
    }

    DevicePtr uploadLongs(long[] a) {
        try (Arena arena = Arena.ofConfined()) {
            DevicePtr p = alloc(a.length * 8L);
            CudaMemory.copyToDevice(p, arena.allocateFrom(JAVA_LONG, a));
            return p;
        }
    }

    /** Runs the launch and waits for it. */
    void run(Launch launch) {
        image.launch(launch, stream);
        CudaStreams.synchronize(stream);
    }

    float[] download(ElementType t, DevicePtr p, int n) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(JAVA_SHORT, n);
            CudaMemory.copyToHost(s, p);
            float[] out = new float[n];
            for (int i = 0; i < n; i++) {
                out[i] = decode(t, s.getAtIndex(JAVA_SHORT, i));
            }
            return out;
        }
    }

    float[] downloadF32(DevicePtr p, int n) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(JAVA_FLOAT, n);
            CudaMemory.copyToHost(s, p);
            return s.toArray(JAVA_FLOAT);
        }
    }

    @Override
    public void close() {
        allocations.forEach(CudaMemory::free);
        allocations.clear();
        CudaStreams.destroy(stream);
    }
}
