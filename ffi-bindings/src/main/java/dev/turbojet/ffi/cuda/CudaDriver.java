package dev.turbojet.ffi.cuda;

import static dev.turbojet.ffi.cuda.CudaCheck.check;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.turbojet.ffi.Lib;
import dev.turbojet.ffi.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** The CUDA driver API (libcuda.so.1): initialisation, devices, primary contexts. */
public final class CudaDriver {
    private static final int ATTR_SM_COUNT = 16;
    private static final int ATTR_CC_MAJOR = 75;
    private static final int ATTR_CC_MINOR = 76;
    private static final int ATTR_SHARED_OPTIN = 97;

    private static final MethodHandle INIT = fn("cuInit", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle DRIVER_VERSION = fn("cuDriverGetVersion", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle DEVICE_COUNT = fn("cuDeviceGetCount", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle DEVICE_GET = fn("cuDeviceGet", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle DEVICE_NAME =
            fn("cuDeviceGetName", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle DEVICE_ATTRIBUTE =
            fn("cuDeviceGetAttribute", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle DEVICE_TOTAL_MEM =
            fn("cuDeviceTotalMem_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle PRIMARY_RETAIN =
            fn("cuDevicePrimaryCtxRetain", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle PRIMARY_RELEASE =
            fn("cuDevicePrimaryCtxRelease_v2", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle CTX_SET_CURRENT = fn("cuCtxSetCurrent", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle CTX_SYNCHRONIZE = fn("cuCtxSynchronize", FunctionDescriptor.of(JAVA_INT));

    private CudaDriver() {}

    static MethodHandle fn(String name, FunctionDescriptor descriptor) {
        return Native.downcall(Lib.CUDA, name, descriptor);
    }

    public static void init() {
        try {
            check("cuInit", (int) INIT.invokeExact(0));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    /** The driver's CUDA version, e.g. 13000 for 13.0. */
    public static int driverVersion() {
        return intOut("cuDriverGetVersion", DRIVER_VERSION);
    }

    public static int deviceCount() {
        return intOut("cuDeviceGetCount", DEVICE_COUNT);
    }

    public static Device device(int ordinal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT);
            check("cuDeviceGet", (int) DEVICE_GET.invokeExact(out, ordinal));
            return new Device(out.get(JAVA_INT, 0));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    public static DeviceInfo info(Device device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocate(256);
            check("cuDeviceGetName", (int) DEVICE_NAME.invokeExact(name, 256, device.ordinal()));
            MemorySegment total = arena.allocate(JAVA_LONG);
            check("cuDeviceTotalMem_v2", (int) DEVICE_TOTAL_MEM.invokeExact(total, device.ordinal()));
            return new DeviceInfo(device, name.getString(0), attribute(device, ATTR_SM_COUNT),
                    attribute(device, ATTR_CC_MAJOR), attribute(device, ATTR_CC_MINOR), total.get(JAVA_LONG, 0),
                    attribute(device, ATTR_SHARED_OPTIN));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    /** cuDeviceGetAttribute with a raw CUdevice_attribute value. */
    public static int attribute(Device device, int attribute) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT);
            check("cuDeviceGetAttribute", (int) DEVICE_ATTRIBUTE.invokeExact(out, attribute, device.ordinal()));
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    /** Retains the device's primary context and makes it current on this thread. */
    public static Context retainPrimaryContext(Device device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            check("cuDevicePrimaryCtxRetain", (int) PRIMARY_RETAIN.invokeExact(out, device.ordinal()));
            Context context = new Context(out.get(ADDRESS, 0), device);
            setCurrent(context);
            return context;
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    /** Makes {@code context} current on the calling thread (each thread that issues work needs this once). */
    public static void setCurrent(Context context) {
        try {
            check("cuCtxSetCurrent", (int) CTX_SET_CURRENT.invokeExact(context.handle()));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    public static void releasePrimaryContext(Context context) {
        try {
            check("cuDevicePrimaryCtxRelease_v2", (int) PRIMARY_RELEASE.invokeExact(context.device().ordinal()));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    public static void synchronize() {
        try {
            check("cuCtxSynchronize", (int) CTX_SYNCHRONIZE.invokeExact());
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    private static int intOut(String name, MethodHandle fn) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT);
            check(name, (int) fn.invokeExact(out));
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }
}
