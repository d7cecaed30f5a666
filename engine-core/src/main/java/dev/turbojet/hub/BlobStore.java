package dev.turbojet.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One repository folder of the cache at one commit: downloads files into {@code blobs/<etag>}
 * (through {@code <etag>.incomplete}, resumed with a Range request, verified before the atomic
 * move) and links {@code snapshots/<commit>/<path>} to them.
 */
final class BlobStore {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern SHA1 = Pattern.compile("[0-9a-f]{40}");
    private static final Pattern SAFE_ETAG = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final int BUFFER = 1 << 20;

    /** What a HEAD on a resolve URL says about a file. */
    record FileMeta(String path, String etag, long size) {}

    private final HubHttp http;
    private final Path blobs;
    private final Path snapshot;
    private final String repo;
    private final String commit;
    private final HubClient.Settings settings;
    private final DownloadListener listener;
    private long allDone;
    private long allTotal;
    private long sessionBytes;
    private final long started = System.nanoTime();

    BlobStore(HubHttp http, Path repoFolder, String repo, String commit, HubClient.Settings settings, DownloadListener listener) {
        this.http = http;
        this.blobs = repoFolder.resolve("blobs");
        this.snapshot = repoFolder.resolve("snapshots").resolve(commit);
        this.repo = repo;
        this.commit = commit;
        this.settings = settings;
        this.listener = listener;
    }

    /** Every file of {@code paths} present in the snapshot afterwards; cached ones cost no request. */
    void fetchAll(List<String> paths) throws IOException {
        List<FileMeta> missing = new ArrayList<>();
        for (String p : paths) {
            Path link = snapshotPath(p);
            if (Files.exists(link)) {
                listener.finished(p, Files.size(link), false);
                continue;
            }
            FileMeta meta = head(p);
            Path blob = blobs.resolve(meta.etag());
            if (Files.isRegularFile(blob)) {
                link(link, blob);
                listener.finished(p, Files.size(blob), false);
                continue;
            }
            missing.add(meta);
        }
        allDone = 0;
        allTotal = 0;
        for (FileMeta m : missing) {
            allTotal += Math.max(0, m.size());
            Path part = blobs.resolve(m.etag() + ".incomplete");
            if (Files.isRegularFile(part)) allDone += Files.size(part);
        }
        for (FileMeta m : missing) {
            Path blob = download(m);
            link(snapshotPath(m.path()), blob);
            listener.finished(m.path(), Files.size(blob), true);
        }
    }

    private Path snapshotPath(String p) {
        Path link = snapshot.resolve(p).normalize();
        if (p.startsWith("/") || p.contains("\\") || Arrays.asList(p.split("/")).contains("..") || !link.startsWith(snapshot)) {
            throw new HubException(repo + ": refusing file name '" + p + "' from the hub (it leaves the snapshot folder)");
        }
        return link;
    }

    private URI resolveUri(String p) {
        String path = Arrays.stream(p.split("/")).map(HubClient::encode).collect(Collectors.joining("/"));
        return URI.create(http.endpoint() + "/" + repo + "/resolve/" + commit + "/" + path);
    }

    FileMeta head(String p) throws IOException {
        HttpResponse<InputStream> r = http.send("HEAD", resolveUri(p), Map.of(), true);
        r.body().close();
        var h = r.headers();
        boolean lfsRedirect = r.statusCode() / 100 == 3 && HubHttp.isLinked(h);   // metadata sits on the redirect
        if (!lfsRedirect) HubClient.check(r, repo, p);
        String etag = h.firstValue("X-Linked-Etag").or(() -> h.firstValue("ETag"))
                .map(BlobStore::normaliseEtag)
                .orElseThrow(() -> new HubException(repo + ": " + p + ": the hub sent no ETag, so the file cannot be cached"));
        if (!SAFE_ETAG.matcher(etag).matches()) throw new HubException(repo + ": " + p + ": unusable ETag '" + etag + "'");
        long size = h.firstValue("X-Linked-Size").or(() -> h.firstValue("Content-Length")).map(Long::parseLong).orElse(-1L);
        return new FileMeta(p, etag, size);
    }

    static String normaliseEtag(String etag) {
        String e = etag.trim();
        if (e.startsWith("W/")) e = e.substring(2);
        if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) e = e.substring(1, e.length() - 1);
        return e;
    }

    private Path download(FileMeta m) throws IOException {
        Files.createDirectories(blobs);
        Path part = blobs.resolve(m.etag() + ".incomplete");
        URI uri = resolveUri(m.path());
        IOException last = null;
        for (int attempt = 1; attempt <= settings.attempts() && !complete(part, m.size()); attempt++) {
            long offset = Files.isRegularFile(part) ? Files.size(part) : 0;
            if (m.size() >= 0 && offset > m.size()) {
                Files.delete(part);
                allDone -= offset;
                offset = 0;
            }
            try {
                Map<String, String> headers = offset > 0 ? Map.of("Range", "bytes=" + offset + "-") : Map.of();
                HttpResponse<InputStream> r = http.send("GET", uri, headers, false);
                try (InputStream in = r.body()) {
                    HubClient.check(r, repo, m.path());
                    boolean resumed = r.statusCode() == 206
                            && r.headers().firstValue("Content-Range").orElse("").startsWith("bytes " + offset + "-");
                    if (!resumed && offset > 0) {       // the server sent the whole file: start again
                        allDone -= offset;
                        offset = 0;
                    }
                    copy(in, part, resumed, m);
                }
            } catch (IOException e) {
                last = e;
                sleep(Math.min(2000, 200L * attempt));
            }
        }
        if (!complete(part, m.size())) {
            throw new HubException(repo + ": downloading " + m.path() + " failed after " + settings.attempts() + " attempts"
                    + (last == null ? "" : " (" + HubClient.describe(last) + ")") + "; run again to resume from " + part, last);
        }
        verify(part, m);
        Path blob = blobs.resolve(m.etag());
        Files.move(part, blob, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return blob;
    }

    private static boolean complete(Path part, long size) throws IOException {
        return Files.isRegularFile(part) && (size < 0 ? Files.size(part) > 0 : Files.size(part) == size);
    }

    /** Streams {@code in} into {@code part}; a watchdog closes the stream if nothing arrives for the stall timeout. */
    private void copy(InputStream in, Path part, boolean append, FileMeta m) throws IOException {
        AtomicLong lastData = new AtomicLong(System.nanoTime());
        long stall = settings.stallTimeout().toNanos();
        Thread watchdog = Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    Thread.sleep(Math.max(10, Math.min(1000, stall / 4_000_000)));
                    if (System.nanoTime() - lastData.get() > stall) {
                        in.close();
                        return;
                    }
                }
            } catch (InterruptedException | IOException e) {
                // done, or the stream is already closed
            }
        });
        try (OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            long fileDone = append ? Files.size(part) : 0;
            byte[] buf = new byte[BUFFER];
            int n;
            while ((n = in.read(buf)) >= 0) {
                lastData.set(System.nanoTime());
                out.write(buf, 0, n);
                fileDone += n;
                allDone += n;
                sessionBytes += n;
                listener.progress(progress(m, fileDone));
            }
        } finally {
            watchdog.interrupt();
        }
    }

    private DownloadListener.Progress progress(FileMeta m, long fileDone) {
        double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
        double rate = sessionBytes / seconds;
        Duration eta = rate > 0 && allTotal > allDone ? Duration.ofSeconds((long) ((allTotal - allDone) / rate)) : Duration.ZERO;
        return new DownloadListener.Progress(m.path(), fileDone, m.size(), allDone, allTotal, rate, eta);
    }

    /** SHA-256 for LFS files (their ETag), git's blob SHA-1 for small ones; a mismatch deletes the download. */
    private void verify(Path part, FileMeta m) throws IOException {
        String algorithm;
        byte[] prefix = new byte[0];
        if (SHA256.matcher(m.etag()).matches()) {
            algorithm = "SHA-256";
        } else if (SHA1.matcher(m.etag()).matches()) {
            algorithm = "SHA-1";
            prefix = ("blob " + Files.size(part) + "\0").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        } else {
            return;   // an ETag that is not a content hash: nothing to check against
        }
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is required of every JDK", e);
        }
        digest.update(prefix);
        try (InputStream in = Files.newInputStream(part)) {
            byte[] buf = new byte[BUFFER];
            int n;
            while ((n = in.read(buf)) >= 0) digest.update(buf, 0, n);
        }
        String actual = HexFormat.of().formatHex(digest.digest());
        if (!actual.equals(m.etag())) {
            Files.deleteIfExists(part);
            throw new HubException(repo + ": " + m.path() + " is corrupt: expected " + algorithm + " " + m.etag()
                    + " but the download has " + actual + "; the partial file was deleted, run again to retry");
        }
    }

    /** {@code link} → {@code blob} as a relative symbolic link, or a copy where links cannot be made. */
    private static void link(Path link, Path blob) throws IOException {
        Files.createDirectories(link.getParent());
        Files.deleteIfExists(link);
        try {
            Files.createSymbolicLink(link, link.getParent().relativize(blob));
        } catch (UnsupportedOperationException | IOException | SecurityException e) {
            Files.copy(blob, link, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
