package dev.turbojet.ffi.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.turbojet.ffi.Lib;
import dev.turbojet.ffi.Native;
import dev.turbojet.ffi.NativeLibraries;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The driver bindings' plumbing (signatures, out-parameters, status checks, argument packing)
 * against a fake libcuda.so.1 compiled here with gcc. Runs in its own surefire execution, whose
 * JVM points {@code turbojet.cuda.lib.cuda} at the fake, so no other test sees it.
 */
@SuppressWarnings("restricted") // native loading, downcalls and sizing native memory are this class's job
class FakeCudaDriverTest {
    private static SymbolLookup fake;

    @BeforeAll
    static void buildFake() throws IOException, InterruptedException {
        String target = System.getProperty(Lib.CUDA.property(), "");
        assumeTrue(target.endsWith("fake-cuda/libcuda.so.1"),
                "runs only in the fake-cuda surefire execution (property " + Lib.CUDA.property() + " unset)");
        Path so = Path.of(target);
        Files.createDirectories(so.getParent());
        Path source = so.getParent().resolve("fake_cuda.c");
        try (InputStream in = FakeCudaDriverTest.class.getResourceAsStream("/fake-cuda/fake_cuda.c")) {
            Files.write(source, in.readAllBytes());
        }
        Process gcc;
        try {
            gcc = new ProcessBuilder("gcc", "-shared", "-fPIC", "-O1", "-o", so.toString(), source.toString())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "gcc is not available to build the fake libcuda.so.1: " + e.getMessage());
            return;
        }
        String log = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(gcc.waitFor(60, TimeUnit.SECONDS), "gcc timed out");
        assertEquals(0, gcc.exitValue(), "gcc failed:\n" + log);
        fake = SymbolLookup.libraryLookup(so, Arena.global());
    }

    @Test
    void loadsTheConfiguredLibrary() {
        CudaDriver.init();
        assertTrue(NativeLibraries.get(Lib.CUDA).from().toString().contains("fake-cuda/libcuda.so.1"));
        assertEquals(13000, CudaDriver.driverVersion());
        assertEquals(1, CudaDriver.deviceCount());
    }

    @Test
    void deviceInfo() {
        CudaDriver.init();
        DeviceInfo info = CudaDriver.info(CudaDriver.device(0));
        assertEquals(new DeviceInfo(new Device(0), "Fake GPU 9000", 132, 9, 0, 80L << 30, 232448), info);
        assertEquals("sm_90", info.arch());
        Context context = CudaDriver.retainPrimaryContext(info.device());
        CudaDriver.releasePrimaryContext(context);
    }

    @Test
    void errorNamesFunctionStatusAndMessage() {
        CudaDriver.init();
        CudaException e = assertThrows(CudaException.class, () -> CudaMemory.alloc(1L << 50));
        assertEquals("cuMemAlloc_v2", e.function());
        assertEquals(2, e.status());
        assertEquals("CUDA_ERROR_OUT_OF_MEMORY", e.statusName());
        assertEquals("cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (2): out of memory", e.getMessage());
        CudaException bad = assertThrows(CudaException.class, () -> CudaDriver.device(7));
        assertEquals("cuDeviceGet failed: CUDA_ERROR_INVALID_VALUE (1): invalid argument", bad.getMessage());
    }

    @Test
    void unknownStatusFallsBackToItsNumber() {
        CudaException e = assertThrows(CudaException.class, () -> CudaCheck.check("cuSomething", 12345));
        assertEquals("CUDA_ERROR_12345", e.statusName());
    }

    @Test
    void memoryRoundTrip() {
        CudaDriver.init();
        DeviceAllocation a = CudaMemory.alloc(64);
        DeviceAllocation b = CudaMemory.alloc(64);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(64);
            for (int i = 0; i < 16; i++) {
                host.setAtIndex(JAVA_INT, i, i * 3);
            }
            CudaMemory.copyToDevice(a.ptr(), host);
            CudaMemory.copyDeviceToDeviceAsync(b.ptr(), a.ptr(), 64, Stream.LEGACY_DEFAULT);
            CudaMemory.memsetD32(b.ptr().plus(32), 0x01020304, 2, Stream.LEGACY_DEFAULT);
            CudaMemory.memsetD8(b.ptr().plus(60), (byte) 0x7f, 4, Stream.LEGACY_DEFAULT);
            MemorySegment back = arena.allocate(64);
            CudaMemory.copyToHost(back, b.ptr());
            assertEquals(15, back.getAtIndex(JAVA_INT, 5));
            assertEquals(0x01020304, back.getAtIndex(JAVA_INT, 8));
            assertEquals(0x01020304, back.getAtIndex(JAVA_INT, 9));
            assertEquals(30, back.getAtIndex(JAVA_INT, 10));
            assertEquals(0x7f7f7f7f, back.getAtIndex(JAVA_INT, 15));
        } finally {
            CudaMemory.free(a);
            CudaMemory.free(b);
        }
        assertThrows(IllegalArgumentException.class,
                () -> CudaMemory.memsetD32(new DevicePtr(2), 0, 1, Stream.LEGACY_DEFAULT));
        PinnedBuffer pinned = CudaMemory.allocPinned(128);
        assertEquals(128, pinned.bytes());
        CudaMemory.freePinned(pinned);
    }

    @Test
    void streamsEventsAndGraphs() throws Throwable {
        CudaDriver.init();
        Stream stream = CudaStreams.createStream();
        Event start = CudaStreams.createEvent(true);
        Event end = CudaStreams.createEvent(true);
        CudaStreams.record(start, stream);
        CudaStreams.record(end, stream);
        CudaStreams.synchronize(end);
        assertEquals(1.5f, CudaStreams.elapsedMillis(start, end));
        CudaGraphs.beginCapture(stream, CaptureMode.THREAD_LOCAL);
        assertEquals(1, (int) hook("fake_capturing", FunctionDescriptor.of(JAVA_INT)).invokeExact());
        CudaGraph graph = CudaGraphs.endCapture(stream);
        CudaGraphExec exec = CudaGraphs.instantiate(graph);
        CudaGraphs.launch(exec, stream);
        CudaGraphs.launch(exec, stream);
        assertEquals(2, (int) hook("fake_graph_launches", FunctionDescriptor.of(JAVA_INT)).invokeExact());
        CudaGraphs.destroy(exec);
        CudaGraphs.destroy(graph);
        CudaStreams.destroy(start);
        CudaStreams.destroy(end);
        CudaStreams.destroy(stream);
    }

    @Test
    void launchPacksTypedArguments() throws Throwable {
        CudaDriver.init();
        CudaModule module = CudaModules.load("FAKEBIN-image".getBytes(StandardCharsets.US_ASCII));
        assertEquals("FAKEBIN-image", Native.string(
                (MemorySegment) hook("fake_module_image", FunctionDescriptor.of(ADDRESS)).invokeExact()));
        CudaFunction fn = CudaModules.function(module, "group_norm_f16");
        CudaException missing = assertThrows(CudaException.class, () -> CudaModules.function(module, "missing_kernel"));
        assertEquals("cuModuleGetFunction(missing_kernel) failed: CUDA_ERROR_NOT_FOUND (500): named symbol not found",
                missing.getMessage());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sizes = arena.allocateFrom(JAVA_INT, 8, 4, 4, 8);
            hook("fake_expect_param_sizes", FunctionDescriptor.ofVoid(JAVA_INT, ADDRESS)).invokeExact(4, sizes);
        }
        Stream stream = CudaStreams.createStream();
        KernelArgs args = KernelArgs.of().ptr(new DevicePtr(0xDEAD_BEEF_00L)).i32(-7).f32(1e-5f).i64(1L << 40);
        CudaModules.launch(fn, new LaunchConfig(10, 2, 1, 256, 1, 1, 4096), stream, args);
        assertEquals("group_norm_f16", Native.string(
                (MemorySegment) hook("fake_function_name", FunctionDescriptor.of(ADDRESS)).invokeExact()));
        MemorySegment dims = ((MemorySegment) hook("fake_launch_dims", FunctionDescriptor.of(ADDRESS)).invokeExact())
                .reinterpret(7 * 4);
        assertArrayEquals(new int[] {10, 2, 1, 256, 1, 1, 4096}, dims.toArray(JAVA_INT));
        MethodHandle param = hook("fake_launch_param", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        assertEquals(0xDEAD_BEEF_00L, ((MemorySegment) param.invokeExact(0)).reinterpret(8).get(JAVA_LONG, 0));
        assertEquals(-7, ((MemorySegment) param.invokeExact(1)).reinterpret(8).get(JAVA_INT, 0));
        assertEquals(1e-5f, ((MemorySegment) param.invokeExact(2)).reinterpret(8).get(JAVA_FLOAT, 0));
        assertEquals(1L << 40, ((MemorySegment) param.invokeExact(3)).reinterpret(8).get(JAVA_LONG, 0));
        CudaModules.unload(module);
    }

    private static MethodHandle hook(String name, FunctionDescriptor descriptor) {
        return Native.bind(fake, name, descriptor);
    }
}
