package dev.turbojet.io.singlefile;

/** The model components a single-file SDXL checkpoint holds, by their diffusers folder names. */
public enum Component {
    UNET("unet"), VAE("vae"), TEXT_ENCODER("text_encoder"), TEXT_ENCODER_2("text_encoder_2");

    private final String folder;

    Component(String folder) {
        this.folder = folder;
    }

    /** The diffusers folder name ("text_encoder_2"). */
    public String folder() {
        return folder;
    }

    public static Component ofFolder(String folder) {
        for (Component c : values()) {
            if (c.folder.equals(folder)) return c;
        }
        throw new IllegalArgumentException("no component '" + folder + "' in a single-file SDXL checkpoint");
    }
}
