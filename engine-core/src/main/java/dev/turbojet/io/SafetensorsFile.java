package dev.turbojet.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One safetensors file, memory-mapped read-only into a shared arena: the header is parsed and
 * validated when the file opens, and each tensor is a zero-copy {@link TensorView} slice of the
 * mapping. Layout: 8-byte little-endian header length N, N bytes of JSON, then the data section.
 */
public final class SafetensorsFile extends MappedTensors {
    /** Headers larger than this are refused before anything is allocated (the format's own limit). */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private final Path path;
    private final Arena arena;
    private final SafetensorsHeader header;
    private final long dataOffset;

    private SafetensorsFile(Path path, Arena arena, SafetensorsHeader header, long dataOffset, Map<String, TensorView> views) {
        super(views);
        this.path = path;
        this.arena = arena;
        this.header = header;
        this.dataOffset = dataOffset;
    }

    /** Opens, validates and maps {@code path}; every fault is a {@link SafetensorsException}. */
    public static SafetensorsFile open(Path path) {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw new SafetensorsException(path, "file is " + size + " bytes, too short for the 8-byte header length");
            }
            long headerLength = readHeaderLength(channel);
            if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
                throw new SafetensorsException(path, "header length " + Long.toUnsignedString(headerLength)
                        + " is not in [0, " + MAX_HEADER_BYTES + "] bytes: not a safetensors file, or corrupt");
            }
            if (8 + headerLength > size) {
                throw new SafetensorsException(path, "header length " + headerLength + " runs past the end of the "
                        + size + "-byte file (truncated?)");
            }
            byte[] json = new byte[(int) headerLength];
            ByteBuffer buf = ByteBuffer.wrap(json);
            while (buf.hasRemaining()) {
                if (channel.read(buf, 8 + buf.position()) < 0) throw new SafetensorsException(path, "file shrank while reading its header");
            }
            long dataOffset = 8 + headerLength;
            SafetensorsHeader header = SafetensorsHeader.parse(path, json, size - dataOffset);
            return map(path, channel, size, header, dataOffset);
        } catch (NoSuchFileException e) {
            throw new SafetensorsException(path, missingFileMessage(path), e);
        } catch (IOException e) {
            throw new SafetensorsException(path, "cannot read: " + e, e);
        }
    }

    private static SafetensorsFile map(Path path, FileChannel channel, long size, SafetensorsHeader header, long dataOffset)
            throws IOException {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            String origin = path.toString();
            Map<String, TensorView> views = new LinkedHashMap<>();
            for (SafetensorsEntry e : header.entries()) {
                MemorySegment slice = mapped.asSlice(dataOffset + e.begin(), e.byteSize());
                views.put(e.name(), new TensorView(e.name(), e.dtype(), e.shape(), slice, origin));
            }
            return new SafetensorsFile(path, arena, header, dataOffset, Collections.unmodifiableMap(views));
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static long readHeaderLength(FileChannel channel) throws IOException {
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        while (len.hasRemaining()) {
            if (channel.read(len, len.position()) < 0) throw new IOException("unexpected end of file");
        }
        return len.getLong(0);
    }

    static String missingFileMessage(Path path) {
        if (Files.isSymbolicLink(path)) {
            try {
                return "is a broken symbolic link to " + Files.readSymbolicLink(path);
            } catch (IOException e) {
                return "is a broken symbolic link";
            }
        }
        return "no such file";
    }

    public Path path() {
        return path;
    }

    /** Offset of the data section in the file (8 + header length). */
    public long dataOffset() {
        return dataOffset;
    }

    /** Every entry's dtype, shape and byte range, sorted by name. */
    public List<SafetensorsEntry> entries() {
        return header.entries();
    }

    /** Every tensor, sorted by name. */
    public List<TensorView> tensors() {
        return views();
    }

    @Override
    public List<Path> files() {
        return List.of(path);
    }

    @Override
    public Map<String, String> metadata() {
        return header.metadata();
    }

    @Override
    public String description() {
        return path.toString();
    }

    @Override
    public void close() {
        if (arena.scope().isAlive()) arena.close();
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + path + ", " + names().size() + " tensors]";
    }
}
