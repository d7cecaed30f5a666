package dev.turbojet.pipeline;

import dev.turbojet.hub.DownloadListener;
import dev.turbojet.hub.HubClient;
import dev.turbojet.io.HfCache;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * How {@link ModelSource#resolve} finds a model named by a string. Immutable; start from
 * {@link #defaults()} and change what differs with the {@code with...} methods.
 *
 * @param revision     for a repository id: the branch, tag or commit; empty: main
 * @param offline      never download: a repository id must already be in the hub cache, else the error
 *                     says what is missing and where it looked
 * @param configFolder for a single-file checkpoint: the diffusers folder whose configs and tokenizers
 *                     describe it (its weights are not read); empty: the bundled SDXL Turbo ones.
 *                     Refused for anything but a single file (a folder carries its own configs)
 * @param cache        the Hugging Face hub cache to read snapshots from and download into; empty: the
 *                     one the environment names ({@link HfCache#fromEnvironment()}), or {@code hub}'s
 * @param hub          endpoint, token and timeouts for downloads; empty: from the environment when a
 *                     download starts ({@link HubClient#settingsFromEnvironment}: HF_ENDPOINT, HF_TOKEN,
 *                     HF_HUB_OFFLINE, ...)
 * @param progress     told about downloads as they go ({@link dev.turbojet.hub.ConsoleProgress} draws a bar);
 *                     default: nothing
 * @param notices      receives one line before a download starts ("... is not in the hub cache;
 *                     downloading it"); default: java.util.logging
 */
public record ResolveOptions(Optional<String> revision, boolean offline, Optional<Path> configFolder,
                             Optional<HfCache> cache, Optional<HubClient.Settings> hub,
                             DownloadListener progress, Consumer<String> notices) {
    private static final Logger LOG = Logger.getLogger(ModelSource.class.getName());

    public ResolveOptions {
        Objects.requireNonNull(revision, "revision");
        if (revision.isPresent() && revision.get().isBlank()) throw new IllegalArgumentException("the revision is blank");
        Objects.requireNonNull(configFolder, "configFolder");
        Objects.requireNonNull(cache, "cache");
        Objects.requireNonNull(hub, "hub");
        Objects.requireNonNull(progress, "progress");
        Objects.requireNonNull(notices, "notices");
    }

    /** main, downloads allowed, bundled configs for single files, the cache and hub of the environment. */
    public static ResolveOptions defaults() {
        return new ResolveOptions(Optional.empty(), false, Optional.empty(), Optional.empty(), Optional.empty(),
                DownloadListener.NONE, LOG::info);
    }

    /** A repository id at {@code branchTagOrCommit} instead of main. */
    public ResolveOptions withRevision(String branchTagOrCommit) {
        return new ResolveOptions(Optional.of(branchTagOrCommit), offline, configFolder, cache, hub, progress, notices);
    }

    /** Never download (see {@code offline}). */
    public ResolveOptions withOffline(boolean noDownloads) {
        return new ResolveOptions(revision, noDownloads, configFolder, cache, hub, progress, notices);
    }

    /** A single-file checkpoint read with the configs and tokenizers of the diffusers folder {@code folder}. */
    public ResolveOptions withConfigFolder(Path folder) {
        return new ResolveOptions(revision, offline, Optional.of(folder), cache, hub, progress, notices);
    }

    /** The hub cache in {@code hubFolder} (the folder holding {@code models--owner--name}). */
    public ResolveOptions withCache(Path hubFolder) {
        HfCache c = new HfCache(hubFolder, "ResolveOptions.withCache");
        return new ResolveOptions(revision, offline, configFolder, Optional.of(c), hub, progress, notices);
    }

    /** Downloads with {@code settings} (endpoint, token, timeouts; its cache unless {@link #withCache} names one). */
    public ResolveOptions withHub(HubClient.Settings settings) {
        return new ResolveOptions(revision, offline, configFolder, cache, Optional.of(settings), progress, notices);
    }

    public ResolveOptions withProgress(DownloadListener listener) {
        return new ResolveOptions(revision, offline, configFolder, cache, hub, listener, notices);
    }

    public ResolveOptions withNotices(Consumer<String> listener) {
        return new ResolveOptions(revision, offline, configFolder, cache, hub, progress, listener);
    }

    /** The cache snapshots are looked for in. */
    HfCache hfCache() {
        return cache.or(() -> hub.map(HubClient.Settings::cache)).orElseGet(HfCache::fromEnvironment);
    }

    /** The settings a download runs with, in {@link #hfCache()}. */
    HubClient.Settings hubSettings() {
        HubClient.Settings s = hub.orElseGet(() -> HubClient.settingsFromEnvironment(System.getenv(),
                Path.of(System.getProperty("user.home"))));
        return s.withCache(hfCache());
    }
}
