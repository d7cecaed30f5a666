package dev.turbojet.ffi;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.MutableCallSite;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Downcall handles that bind lazily: {@link #downcall} returns at once, and the library is found
 * and the symbol looked up on the first invocation. Binding classes can therefore keep their
 * handles in {@code static final} fields (so the JIT inlines them) without loading anything when
 * the class initialises.
 */
@SuppressWarnings("restricted") // native loading, downcalls and sizing native memory are this class's job
public final class Native {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle RESOLVE;
    private static final Set<Declared> DECLARED = ConcurrentHashMap.newKeySet();

    static {
        try {
            RESOLVE = MethodHandles.lookup().findStatic(Native.class, "resolveAndInvoke",
                    MethodType.methodType(Object.class, Pending.class, Object[].class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Native() {}

    private record Pending(MutableCallSite site, Lib lib, String name, FunctionDescriptor descriptor) {}

    /** One symbol {@link #downcall} was asked for: the library, the exported name and the C signature assumed. */
    public record Declared(Lib lib, String name, FunctionDescriptor descriptor) {}

    /** A handle to {@code name} in {@code lib} with the given C signature, bound on first call. */
    public static MethodHandle downcall(Lib lib, String name, FunctionDescriptor descriptor) {
        DECLARED.add(new Declared(lib, name, descriptor));
        MethodType type = descriptor.toMethodType();
        MutableCallSite site = new MutableCallSite(type);
        MethodHandle resolver = RESOLVE.bindTo(new Pending(site, lib, name, descriptor))
                .asCollector(Object[].class, type.parameterCount())
                .asType(type);
        site.setTarget(resolver);
        return site.dynamicInvoker();
    }

    /**
     * Every (library, symbol, signature) that {@link #downcall} has been asked for so far in this JVM, sorted by
     * library and name; a binding class's are there once the class has initialised. This is what the header audit
     * ({@code HeaderAuditTest}) checks against NVIDIA's headers. Cheap and thread-safe; nothing is loaded.
     */
    public static List<Declared> declared() {
        return DECLARED.stream()
                .sorted(Comparator.comparing(Declared::lib).thenComparing(Declared::name)
                        .thenComparing(d -> d.descriptor().toString()))
                .toList();
    }

    /** Binds a handle now, against an explicit symbol table (tests, optional symbols). */
    public static MethodHandle bind(SymbolLookup symbols, String name, FunctionDescriptor descriptor) {
        MemorySegment address = symbols.find(name).orElseThrow(
                () -> new UnsupportedOperationException("native symbol not found: " + name));
        return LINKER.downcallHandle(address, descriptor);
    }

    /** Whether {@code lib} loads here and exports {@code name}. */
    public static boolean hasSymbol(Lib lib, String name) {
        return NativeLibraries.isAvailable(lib) && NativeLibraries.get(lib).symbols().find(name).isPresent();
    }

    private static Object resolveAndInvoke(Pending p, Object[] args) throws Throwable {
        MethodHandle target = bind(NativeLibraries.get(p.lib()).symbols(), p.name(), p.descriptor());
        p.site().setTarget(target);
        return target.invokeWithArguments(args);
    }

    /** Rethrows runtime exceptions and errors as they are; wraps anything else (invokeExact declares Throwable). */
    public static RuntimeException unchecked(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("native call failed", t);
    }

    /** A C string owned by the caller, or "" for NULL. */
    public static String string(MemorySegment cString) {
        return cString.equals(MemorySegment.NULL) ? "" : cString.reinterpret(Long.MAX_VALUE).getString(0);
    }

    /**
     * What a library's {@code const char* name(int status)} function ({@code cudnnGetErrorString},
     * {@code nvrtcGetErrorString}, {@code cublasLtGetStatusName}) says of {@code status}.
     */
    public static String statusString(MethodHandle nameFunction, int status) {
        try {
            return string((MemorySegment) nameFunction.invokeExact(status));
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /** A NUL-terminated copy of {@code s} in {@code arena}. */
    public static MemorySegment cString(Arena arena, String s) {
        return arena.allocateFrom(s);
    }
}
