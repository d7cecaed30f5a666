package dev.turbojet.hub;

import java.util.List;

/** A repository's files at one commit, as the hub's model API lists them. */
public record RepoFiles(String repo, String commit, List<String> files) {
    public RepoFiles {
        files = List.copyOf(files);
    }
}
