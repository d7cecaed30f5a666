package dev.turbojet.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The Hugging Face hub cache as huggingface_hub lays it out:
 * {@code <hub>/models--<owner>--<name>/refs/<branch>} holds a commit hash and
 * {@code snapshots/<commit>/} the repository's files (usually symbolic links into {@code blobs/}).
 * {@code origin} says how the hub folder was found, for messages.
 */
public record HfCache(Path hub, String origin) {
    private static final Pattern REPO_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?");

    /** The cache the current environment points to. */
    public static HfCache fromEnvironment() {
        return fromEnvironment(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /**
     * {@code $HF_HUB_CACHE}, else the legacy {@code $HUGGINGFACE_HUB_CACHE}, else {@code $HF_HOME/hub},
     * else {@code $XDG_CACHE_HOME/huggingface/hub}, else {@code ~/.cache/huggingface/hub}.
     */
    public static HfCache fromEnvironment(Map<String, String> env, Path home) {
        for (String var : new String[]{"HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"}) {
            String v = env.get(var);
            if (v != null && !v.isBlank()) return new HfCache(Path.of(v), "$" + var);
        }
        String hfHome = env.get("HF_HOME");
        if (hfHome != null && !hfHome.isBlank()) return new HfCache(Path.of(hfHome, "hub"), "$HF_HOME/hub");
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) return new HfCache(Path.of(xdg, "huggingface", "hub"), "$XDG_CACHE_HOME/huggingface/hub");
        return new HfCache(home.resolve(".cache/huggingface/hub"), "the default ~/.cache/huggingface/hub");
    }

    /** Whether {@code text} has the shape of a repository id ("stabilityai/sdxl-turbo"). */
    public static boolean isRepoId(String text) {
        return REPO_ID.matcher(text).matches() && !text.contains("..");
    }

    /** {@code models--stabilityai--sdxl-turbo} under the hub folder. */
    public Path repoFolder(String repoId) {
        if (!isRepoId(repoId)) throw new IllegalArgumentException("'" + repoId + "' is not a repository id like owner/name");
        return hub.resolve("models--" + repoId.replace("/", "--"));
    }

    /**
     * The snapshot folder of {@code repoId} at {@code revision} (a branch or tag under {@code refs/},
     * or a commit hash), {@code main} when empty. Fails naming every place it looked.
     */
    public Path snapshot(String repoId, Optional<String> revision) {
        Path repo = repoFolder(repoId);
        if (!Files.isDirectory(repo)) {
            throw new CheckpointException(repoId + " is not in the Hugging Face cache: " + repo
                    + " does not exist (hub folder from " + origin + ")");
        }
        String rev = revision.filter(r -> !r.isBlank()).orElse("main");
        if (rev.contains("..") || rev.startsWith("/")) throw new IllegalArgumentException("bad revision '" + rev + "'");
        Path ref = repo.resolve("refs").resolve(rev);
        String commit = rev;
        if (Files.isRegularFile(ref)) {
            commit = read(ref).trim();
        } else if (revision.isEmpty()) {
            throw new CheckpointException(repoId + ": no " + ref + " to say which snapshot is main; snapshots present: "
                    + snapshots(repo) + " (give a revision)");
        }
        Path snapshot = repo.resolve("snapshots").resolve(commit);
        if (!Files.isDirectory(snapshot)) {
            String via = commit.equals(rev) ? "" : " (" + ref + " says commit " + commit + ")";
            throw new CheckpointException(repoId + ": no snapshot for revision " + rev + via + ": " + snapshot
                    + " does not exist; snapshots present: " + snapshots(repo));
        }
        return snapshot;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read: " + e, e);
        }
    }

    private static String snapshots(Path repo) {
        Path dir = repo.resolve("snapshots");
        if (!Files.isDirectory(dir)) return "none (" + dir + " does not exist)";
        try (Stream<Path> s = Files.list(dir)) {
            String names = s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.joining(", "));
            return names.isEmpty() ? "none" : names;
        } catch (IOException e) {
            return "(cannot list " + dir + ": " + e.getMessage() + ")";
        }
    }
}
