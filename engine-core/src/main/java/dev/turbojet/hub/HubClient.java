package dev.turbojet.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turbojet.io.CheckpointException;
import dev.turbojet.io.HfCache;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Downloads a diffusers model from the Hugging Face hub into the Hugging Face cache, laid out as
 * huggingface_hub lays it out so that Python tools reuse it (and we reuse theirs):
 * {@code models--org--name/blobs/<etag>}, {@code snapshots/<commit>/<path>} as relative links to
 * the blobs, {@code refs/<revision>} holding the commit. Only the files the engine needs are
 * fetched ({@link FileSelection}); downloads resume after an interruption and are verified
 * against the hub's hashes before they are put in place.
 *
 * <p>Offline ({@code HF_HUB_OFFLINE=1}), or when the hub cannot be reached, the cached snapshot is
 * used; when there is none, the error says so in one line, with where it looked and how to give a
 * local folder instead.
 */
public final class HubClient {
    public static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

    /**
     * @param attempts     tries per file (each resumes where the last stopped)
     * @param stallTimeout a download receiving nothing for this long is abandoned (and retried)
     */
    public record Settings(URI endpoint, Optional<String> token, boolean offline, HfCache cache,
                           Duration connectTimeout, Duration requestTimeout, Duration stallTimeout, int attempts) {
        public Settings {
            String e = endpoint.toString();
            if (e.endsWith("/")) endpoint = URI.create(e.substring(0, e.length() - 1));
            if (attempts < 1) throw new IllegalArgumentException("attempts must be >= 1");
        }

        public static Settings of(URI endpoint, Optional<String> token, boolean offline, HfCache cache) {
            return new Settings(endpoint, token, offline, cache,
                    Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60), 5);
        }

        /** These settings with the snapshots read from and downloaded into {@code other}. */
        public Settings withCache(HfCache other) {
            return new Settings(endpoint, token, offline, other, connectTimeout, requestTimeout, stallTimeout, attempts);
        }
    }

    private final Settings settings;
    private final HubHttp http;

    public HubClient(Settings settings) {
        this.settings = settings;
        this.http = new HubHttp(settings.endpoint(), settings.token(), settings.connectTimeout(), settings.requestTimeout());
    }

    /** Endpoint, token, offline flag and cache from the process environment. */
    public static HubClient fromEnvironment() {
        return new HubClient(settingsFromEnvironment(System.getenv(), Path.of(System.getProperty("user.home"))));
    }

    /**
     * {@code HF_ENDPOINT} (default https://huggingface.co); the token from {@code HF_TOKEN} (or the
     * legacy {@code HUGGING_FACE_HUB_TOKEN}), else the file {@code HF_TOKEN_PATH}, {@code $HF_HOME/token}
     * or {@code ~/.cache/huggingface/token}; {@code HF_HUB_OFFLINE} (1/true/yes/on); the cache as
     * {@link HfCache#fromEnvironment(Map, Path)} finds it.
     */
    public static Settings settingsFromEnvironment(Map<String, String> env, Path home) {
        URI endpoint = Optional.ofNullable(env.get("HF_ENDPOINT")).filter(s -> !s.isBlank()).map(URI::create).orElse(DEFAULT_ENDPOINT);
        Optional<String> token = Optional.ofNullable(env.get("HF_TOKEN")).or(() -> Optional.ofNullable(env.get("HUGGING_FACE_HUB_TOKEN")))
                .map(String::trim).filter(s -> !s.isEmpty());
        if (token.isEmpty()) {
            Path file = Optional.ofNullable(env.get("HF_TOKEN_PATH")).filter(s -> !s.isBlank()).map(Path::of)
                    .orElseGet(() -> Optional.ofNullable(env.get("HF_HOME")).filter(s -> !s.isBlank()).map(Path::of)
                            .orElse(home.resolve(".cache/huggingface")).resolve("token"));
            try {
                if (Files.isRegularFile(file)) token = Optional.of(Files.readString(file).trim()).filter(s -> !s.isEmpty());
            } catch (IOException e) {
                throw new HubException("cannot read the Hugging Face token file " + file + ": " + e.getMessage(), e);
            }
        }
        String off = env.getOrDefault("HF_HUB_OFFLINE", "").trim().toLowerCase(Locale.ROOT);
        boolean offline = off.equals("1") || off.equals("true") || off.equals("yes") || off.equals("on");
        return Settings.of(endpoint, token, offline, HfCache.fromEnvironment(env, home));
    }

    public Settings settings() {
        return settings;
    }

    /** The commit {@code revision} points to and every file of the repository there. */
    public RepoFiles listFiles(String repo, String revision) {
        checkRepo(repo);
        URI uri = URI.create(settings.endpoint() + "/api/models/" + repo + "/revision/" + encode(revision));
        JsonNode json;
        try {
            HttpResponse<InputStream> r = http.send("GET", uri, Map.of("Accept", "application/json"), false);
            try (InputStream body = r.body()) {
                check(r, repo, "revision " + revision);
                json = JSON.readTree(body.readNBytes(64 << 20));
            }
        } catch (IOException e) {
            throw new Unreachable(e);
        }
        JsonNode sha = json == null ? null : json.get("sha");
        JsonNode siblings = json == null ? null : json.get("siblings");
        if (sha == null || !COMMIT.matcher(sha.asText()).matches() || siblings == null || !siblings.isArray()) {
            throw new HubException(uri + ": the answer has no commit \"sha\" and \"siblings\" list; is " + settings.endpoint()
                    + " a Hugging Face hub?");
        }
        List<String> files = new ArrayList<>();
        for (JsonNode s : siblings) {
            String f = s.path("rfilename").asText("");
            if (!f.isEmpty()) files.add(f);
        }
        return new RepoFiles(repo, sha.asText(), files);
    }

    /**
     * The snapshot folder of {@code repo} at {@code revision} (a branch, tag or commit) holding every
     * file the engine needs, downloading what the cache lacks. Offline or with the hub unreachable,
     * the cached snapshot.
     */
    public Path download(String repo, String revision, DownloadListener listener) {
        checkRepo(repo);
        if (settings.offline()) return cached(repo, revision, "HF_HUB_OFFLINE is set");
        RepoFiles files;
        try {
            files = listFiles(repo, revision);
        } catch (Unreachable e) {
            return cached(repo, revision, "cannot reach " + settings.endpoint() + " (" + describe(e.getCause()) + ")");
        }
        Path repoFolder = settings.cache().repoFolder(repo);
        Path snapshot = repoFolder.resolve("snapshots").resolve(files.commit());
        BlobStore store = new BlobStore(http, repoFolder, repo, files.commit(), settings, listener);
        try {
            if (!files.files().contains(FileSelection.MODEL_INDEX)) {
                throw new HubException(repo + " at " + revision + " has no " + FileSelection.MODEL_INDEX
                        + ", so it is not a diffusers pipeline repository");
            }
            store.fetchAll(List.of(FileSelection.MODEL_INDEX));
            JsonNode index = JSON.readTree(Files.readAllBytes(snapshot.resolve(FileSelection.MODEL_INDEX)));
            List<String> wanted = FileSelection.select(files.files(), FileSelection.components(index));
            store.fetchAll(wanted.stream().filter(f -> !f.equals(FileSelection.MODEL_INDEX)).toList());
            if (!revision.equals(files.commit())) {
                Path ref = repoFolder.resolve("refs").resolve(revision);
                Files.createDirectories(ref.getParent());
                Files.writeString(ref, files.commit());
            }
        } catch (IOException e) {
            throw new HubException(repo + ": cannot write to the cache " + repoFolder + ": " + describe(e), e);
        }
        return snapshot;
    }

    private Path cached(String repo, String revision, String why) {
        try {
            Path snapshot = settings.cache().snapshot(repo, Optional.of(revision));
            if (Files.isRegularFile(snapshot.resolve(FileSelection.MODEL_INDEX))) return snapshot;
        } catch (CheckpointException e) {
            // not cached: explained below
        }
        throw new HubException(repo + " (revision " + revision + ") is neither cached nor reachable: " + why
                + "; looked in " + settings.cache().repoFolder(repo) + " (hub folder from " + settings.cache().origin()
                + "); download it while online, or pass a local diffusers folder with --model /path/to/folder");
    }

    /** Fails with a message fit for a user for any status but 2xx. */
    static void check(HttpResponse<?> r, String repo, String what) {
        int s = r.statusCode();
        if (s / 100 == 2) return;
        String url = r.uri().toString();
        if (s == 401 || s == 403) {
            throw new HubException(repo + ": access denied (HTTP " + s + ") for " + url + ": the repository is gated or private;"
                    + " accept its terms on the model page while logged in, then set HF_TOKEN to a token with read access"
                    + " (or store one in $HF_HOME/token)" + (r.request().headers().firstValue("Authorization").isPresent()
                    ? "; the token that was sent is not allowed" : "; no token was sent"));
        }
        if (s == 404) {
            throw new HubException(repo + ": " + what + " not found (HTTP 404 for " + url + "): check the repository id and revision");
        }
        throw new HubException(repo + ": " + what + ": HTTP " + s + " from " + url);
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static String describe(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
    }

    private static void checkRepo(String repo) {
        if (!HfCache.isRepoId(repo) || !repo.contains("/")) {
            throw new IllegalArgumentException("'" + repo + "' is not a repository id like owner/name");
        }
    }

    /** The hub did not answer at all (connection refused, DNS, timeout): the cache may still serve. */
    static final class Unreachable extends RuntimeException {
        Unreachable(IOException cause) {
            super(cause);
        }
    }
}
