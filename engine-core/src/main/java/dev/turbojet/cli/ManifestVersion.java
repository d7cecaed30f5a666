package dev.turbojet.cli;

import picocli.CommandLine.IVersionProvider;

/** The version from the jar manifest's Implementation-Version ("development build" when run from classes). */
final class ManifestVersion implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        return new String[]{
                "turbojet " + (v == null ? "(development build)" : v),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"};
    }
}
