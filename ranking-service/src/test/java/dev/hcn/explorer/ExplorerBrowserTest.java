package dev.hcn.explorer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.hcn.ServiceTest;
import dev.hcn.model.ModelBundle;
import dev.hcn.model.ModelRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.remote.http.ClientConfig;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The explorer page in a real browser (Debian's headless Chromium through chromedriver) against the
 * running service: the DOM must show the model's interests, cosines and alpha bars, and each run
 * writes a full-page screenshot to {@code target/} (and, with {@code
 * -Dhcn.explorer.screenshot=FILE}, to that file: that is how the README's screenshots are made).
 */
@ServiceTest
class ExplorerBrowserTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  private static ChromeDriver driver;
  private static Path profile;

  @LocalServerPort int port;
  @Autowired ModelRegistry registry;

  private ModelBundle bundle;

  @BeforeAll
  static void startBrowser() throws IOException {
    assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER))
        .as(
            "the browser test needs Debian's chromium and chromium-driver (make deps installs them)")
        .isTrue();
    profile = Files.createTempDirectory("hcn-explorer-chromium");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--user-data-dir=" + profile,
        "--window-size=1440,1000");
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
    // A machine under load (or briefly paused) must slow the test down, not fail it: allow each
    // WebDriver command far longer than Selenium's default three minutes.
    driver =
        new ChromeDriver(
            service, options, ClientConfig.defaultConfig().readTimeout(Duration.ofMinutes(15)));
  }

  @AfterAll
  static void stopBrowser() throws IOException {
    if (driver != null) {
      driver.quit();
    }
    if (profile != null) {
      try (var files = Files.walk(profile)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @BeforeEach
  void setUp() {
    bundle = registry.current().orElseThrow();
  }

  @Test
  void demoUserShowsInterestCardsHeatMapProjectionAndAlphaBars() throws IOException {
    open("/explorer");
    int n = bundle.interests();
    assertThat(driver.findElement(By.id("user")).getDomProperty("value")).isEqualTo("42");

    List<WebElement> cards = driver.findElements(By.cssSelector(".interest-card"));
    assertThat(cards).hasSize(n);
    for (WebElement card : cards) {
      List<WebElement> items = card.findElements(By.cssSelector(".closest-item"));
      assertThat(items).hasSize(4);
      for (WebElement item : items) {
        assertThat(item.getText()).isNotBlank().doesNotContain("item #");
      }
    }
    assertThat(driver.findElements(By.cssSelector("#heatmap rect.cell"))).hasSize(n * n);
    assertThat(driver.findElements(By.cssSelector("#projection .interest-point"))).hasSize(n);
    assertThat(driver.findElements(By.cssSelector("#projection .closest-point"))).hasSize(4 * n);
    assertThat(driver.findElements(By.cssSelector("#history-list li"))).hasSize(demoHistorySize());

    assertAlphaBars(15, n);
    // The page only talked to the service itself: nothing from a CDN.
    List<?> foreign =
        (List<?>)
            js(
                "return performance.getEntriesByType('resource').map(e => e.name)"
                    + ".filter(u => !u.startsWith(location.origin));");
    assertThat(foreign).isEmpty();
    screenshot("explorer-" + bundle.name() + ".png", true);
  }

  @Test
  void pastedHistoryAndCandidatesAreExplained() throws IOException {
    open("/explorer");
    long[] history = {bundle.items().id(1), bundle.items().id(2), bundle.items().id(3), -7};
    long[] candidates = {bundle.items().id(10), bundle.items().id(11), bundle.items().id(12)};
    var historyBox = driver.findElement(By.id("history"));
    historyBox.clear();
    historyBox.sendKeys(join(history));
    driver.findElement(By.id("candidates")).sendKeys(join(candidates));
    js("document.body.dataset.ready = 'false';");
    driver.findElement(By.id("show")).click();
    waitUntilReady();

    List<WebElement> events = driver.findElements(By.cssSelector("#history-list li"));
    assertThat(events).hasSize(4);
    // Most recent first: the unknown id is dropped by the model and shown as such.
    assertThat(events.getFirst().getAttribute("class")).contains("unknown");
    assertThat(events.get(1).getText()).isEqualTo(bundle.itemMetadata().title(history[2]));
    assertAlphaBars(3, bundle.interests());
    assertThat(driver.findElement(By.id("error")).isDisplayed()).isFalse();
    screenshot("explorer-pasted-" + bundle.name() + ".png", false);
  }

  @Test
  void anInvalidInputIsShownAsTheProblemDetail() {
    open("/explorer");
    // One event more than the API accepts inline: the page shows the service's problem detail.
    js(
        "arguments[0].value = Array.from({length: 1001}, (_, i) => i + 1).join(' ');",
        driver.findElement(By.id("history")));
    driver.findElement(By.id("show")).click();
    WebElement error = driver.findElement(By.id("error"));
    new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> error.isDisplayed());
    assertThat(error.getText()).contains("400").contains("at most 1000 are allowed");
  }

  /**
   * Every ranked item has one alpha segment per interest; the alphas sum to 1 and the segments fill
   * the bar. Measured in the page in one script, not in hundreds of WebDriver round trips.
   */
  private void assertAlphaBars(int items, int n) {
    List<?> bars =
        (List<?>)
            js(
                "return [...document.querySelectorAll('#ranking .ranked-item')].map(li => {"
                    + " const segs = [...li.querySelectorAll('.alpha-bar .alpha-seg')];"
                    + " return [segs.length,"
                    + "  segs.reduce((a, s) => a + Number(s.dataset.alpha), 0),"
                    + "  segs.reduce((a, s) => a + s.getBoundingClientRect().width, 0),"
                    + "  li.querySelector('.alpha-bar').getBoundingClientRect().width]; });");
    assertThat(bars).hasSize(items);
    for (Object bar : bars) {
      List<?> b = (List<?>) bar;
      assertThat(((Number) b.get(0)).intValue()).isEqualTo(n);
      assertThat(((Number) b.get(1)).doubleValue()).isCloseTo(1.0, within(1e-4));
      assertThat(((Number) b.get(3)).doubleValue()).isPositive();
      assertThat(((Number) b.get(2)).doubleValue())
          .isCloseTo(((Number) b.get(3)).doubleValue(), within(0.5));
    }
  }

  private void open(String path) {
    driver.manage().window().setSize(new Dimension(1440, 1000));
    driver.get("http://localhost:" + port + path);
    waitUntilReady();
  }

  private void waitUntilReady() {
    new WebDriverWait(driver, Duration.ofSeconds(60))
        .until(
            d ->
                "true".equals(js("return document.body.dataset.ready;"))
                    || driver.findElement(By.id("error")).isDisplayed());
    assertThat(driver.findElement(By.id("error")).isDisplayed())
        .as(driver.findElement(By.id("error")).getText())
        .isFalse();
  }

  private int demoHistorySize() {
    var source =
        dev.hcn.history.EmbeddedHistorySource.read(
            bundle.directory().resolve(bundle.manifest().demoHistories()));
    return source.find("42").items().length;
  }

  /** A full-page PNG under target/, and at -Dhcn.explorer.screenshot when asked for. */
  private void screenshot(String name, boolean publish) throws IOException {
    long height = ((Number) js("return document.documentElement.scrollHeight;")).longValue();
    driver.manage().window().setSize(new Dimension(1440, (int) Math.min(height + 20, 6000)));
    byte[] png = driver.getScreenshotAs(OutputType.BYTES);
    Path target = Path.of("target", name);
    Files.createDirectories(target.getParent());
    Files.write(target, png);
    String extra = System.getProperty("hcn.explorer.screenshot");
    if (publish && extra != null && !extra.isBlank()) {
      Files.write(Path.of(extra), png);
    }
  }

  private static Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  private static String join(long[] ids) {
    StringBuilder s = new StringBuilder();
    for (long id : ids) {
      s.append(id).append(' ');
    }
    return s.toString().strip();
  }
}
