package dev.turbojet.serve;

import dev.turbojet.image.PngReader;
import dev.turbojet.pipeline.GenerationRequest;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The real-time page in a headless Chromium: type a prompt and its image appears; type more and the
 * image changes to the new prompt's. The pixels the page shows are the library's for that request.
 * Skips, saying so, where Chromium or chromedriver is not installed (.ci/run installs them with apt-get).
 */
class ServePageBrowserTest {
    private static final String READ_PIXELS = """
            const img = document.getElementById('image');
            const c = document.createElement('canvas');
            c.width = img.naturalWidth; c.height = img.naturalHeight;
            const g = c.getContext('2d');
            g.drawImage(img, 0, 0);
            const rgba = g.getImageData(0, 0, c.width, c.height).data;
            const rgb = [];
            for (let i = 0; i < rgba.length; i += 4) rgb.push(rgba[i], rgba[i + 1], rgba[i + 2]);
            return rgb;""";

    @Test
    void typingShowsThePromptsImageAndChangingThePromptChangesIt() throws Exception {
        Optional<Path> chromium = onPath("chromium", "chromium-browser", "google-chrome");
        Optional<Path> driverBinary = onPath("chromedriver");
        assumeTrue(chromium.isPresent() && driverBinary.isPresent(), "skipped: no headless browser here (need chromium and "
                + "chromedriver on PATH; Debian: apt-get install chromium chromium-driver); chromium "
                + chromium.map(Path::toString).orElse("missing") + ", chromedriver " + driverBinary.map(Path::toString).orElse("missing"));

        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.get().toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--force-color-profile=srgb");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driverBinary.get().toFile())
                .usingAnyFreePort().build();
        try (ServerFixture f = ServerFixture.ready(ServeOptions.defaults())) {
            WebDriver browser = new ChromeDriver(service, options);
            try {
                browser.get(f.uri("/?size=64&steps=1&seed=5").toString());
                WebElement prompt = browser.findElement(By.id("prompt"));
                prompt.sendKeys("a red fox");
                byte[] fox = shownFor(browser, "a red fox");
                assertArrayEquals(libraryPixels("a red fox"), fox, "the page shows the library's image");
                String status = browser.findElement(By.id("status")).getText();
                assertTrue(status.matches(".*seed 5: \\d+ ms to generate, \\d+ ms round trip.*"), status);

                prompt.sendKeys(" in the snow");
                byte[] snow = shownFor(browser, "a red fox in the snow");
                assertFalse(java.util.Arrays.equals(fox, snow), "the image changed with the prompt");
                assertArrayEquals(libraryPixels("a red fox in the snow"), snow);
            } finally {
                browser.quit();
            }
        }
    }

    /** Waits until the page shows the image of {@code prompt}; its RGB bytes. */
    private static byte[] shownFor(WebDriver browser, String prompt) {
        new WebDriverWait(browser, Duration.ofSeconds(60)).until(b -> (Boolean) ((JavascriptExecutor) b).executeScript(
                "const i = document.getElementById('image'); return i.dataset.prompt === arguments[0] && i.complete && i.naturalWidth > 0;",
                prompt));
        List<?> rgb = (List<?>) ((JavascriptExecutor) browser).executeScript(READ_PIXELS);
        byte[] out = new byte[rgb.size()];
        for (int i = 0; i < out.length; i++) out[i] = (byte) ((Number) rgb.get(i)).intValue();
        return out;
    }

    private static byte[] libraryPixels(String prompt) throws Exception {
        byte[] png = ServerFixture.library(GenerationRequest.builder(prompt).size(64, 64).steps(1).seed(5).build()).getFirst();
        return PngReader.read(png, prompt).image().rgb();
    }

    private static Optional<Path> onPath(String... names) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : names) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
