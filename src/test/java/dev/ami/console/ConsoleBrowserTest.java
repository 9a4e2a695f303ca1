package dev.ami.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ami.bus.Addresses;
import dev.ami.config.AmiConfig;
import dev.ami.runtime.AmiRuntime;
import dev.ami.support.RuntimeTest;
import dev.ami.support.TestRuntime;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page in a real headless Chromium (Debian's chromium and chromium-driver, never downloaded). Skips when
 * they are missing, except under CI=true, where a missing browser is a failure.
 */
@DisplayName("console page in headless Chromium")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@RuntimeTest
class ConsoleBrowserTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  private Vertx vertx;
  private AmiRuntime runtime;
  private WebDriver driver;
  private Path profile;
  private int port;

  @BeforeAll
  void start() throws Exception {
    boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!present && "true".equals(System.getenv("CI"))) {
      throw new IllegalStateException("CI=true but " + CHROMIUM + " or " + CHROMEDRIVER
          + " is missing: .ci/run must apt-get install chromium chromium-driver");
    }
    Assumptions.assumeTrue(present, "headless browser test skipped: install chromium and chromium-driver "
        + "(apt-get install -y chromium chromium-driver)");
    AmiConfig config = TestRuntime.smallConfig(Map.of("env", "sim", "agent.hz", 10));
    vertx = TestRuntime.newVertxWithRun(config); // a run folder, where the checkpoint button writes
    runtime = AmiRuntime.start(vertx, config).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    port = (Integer) vertx.sharedData().getLocalMap(Addresses.CONSOLE_MAP).get("port");
    driver = startBrowser();
  }

  private WebDriver startBrowser() throws Exception {
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString()); // Selenium Manager never downloads
    profile = Files.createTempDirectory("ami-chromium");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--window-size=1440,1100", "--user-data-dir=" + profile);
    return new ChromeDriver(options);
  }

  @AfterAll
  void stop() throws Exception {
    if (driver != null) {
      driver.quit();
    }
    if (runtime != null) {
      AmiRuntime.stopAndClose(runtime, vertx, 60);
    }
    if (profile != null) {
      try (var files = Files.walk(profile)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private WebDriverWait waiting() {
    WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60));
    wait.withMessage(() -> "page shows state=" + state() + " ticks=" + text("ticks") + " conn="
        + text("conn") + " notice=" + text("notice"));
    return wait;
  }

  private String text(String id) {
    return driver.findElement(By.id(id)).getText();
  }

  /** The state as data (the badge shows it upper-cased by CSS). */
  private String state() {
    return driver.findElement(By.id("state")).getAttribute("data-state");
  }

  private long ticks() {
    return Long.parseLong(text("ticks").trim());
  }

  private int points(String chartId) {
    return Integer.parseInt(driver.findElement(By.id(chartId)).getAttribute("data-points"));
  }

  @Test
  @DisplayName("Pause shows paused, Step 3 advances the tick counter by exactly 3, Resume feeds the charts")
  void pauseStepResume() {
    driver.get("http://127.0.0.1:" + port + "/");
    waiting().until(d -> "running".equals(state()) && ticks() > 0);

    driver.findElement(By.id("btn-pause")).click();
    waiting().until(d -> "paused".equals(state()));
    // the counter settles on the paused tick count (status is pushed a few times a second)
    long[] stable = {-1};
    waiting().pollingEvery(Duration.ofMillis(500)).until(d -> {
      long now = ticks();
      boolean same = now == stable[0];
      stable[0] = now;
      return same;
    });
    long before = stable[0];

    WebElement n = driver.findElement(By.id("step-n"));
    n.clear();
    n.sendKeys("3");
    driver.findElement(By.id("btn-step")).click();
    waiting().until(d -> ticks() == before + 3 && "paused".equals(state()));
    assertThat(ticks()).isEqualTo(before + 3);

    int pointsPaused = points("chart-lateness");
    driver.findElement(By.id("btn-resume")).click();
    waiting().until(d -> "running".equals(state()));
    waiting().until(d -> points("chart-lateness") > pointsPaused + 2);
    assertThat(driver.findElements(By.cssSelector("#events li"))).isNotEmpty();
  }

  @Test
  @DisplayName("the page shows each model's row and loss chart, the reward, the policy's distribution, coverage, and "
      + "the frame next to the expected next frame")
  void curiosityPanels() throws Exception {
    driver.get("http://127.0.0.1:" + port + "/");
    waiting().until(d -> "running".equals(state()) && ticks() > 0);
    waiting().until(d -> d.findElements(By.cssSelector("#models tr")).size() == 3);
    for (String model : new String[] {"vae", "fd", "policy"}) {
      assertThat(driver.findElement(By.id("model-" + model)).getText()).startsWith(model);
      waiting().until(d -> points("chart-loss-" + model) > 0);
    }
    waiting().until(d -> points("chart-reward") > 2);
    waiting().until(d -> String.valueOf(d.findElement(By.id("expected")).getAttribute("src"))
        .startsWith("data:image/png;base64,"));
    assertThat(driver.findElement(By.id("frame")).getAttribute("src")).startsWith("data:image/png;base64,");
    assertThat(driver.findElements(By.cssSelector("#probs-vertical .prob"))).hasSize(3);
    assertThat(driver.findElements(By.cssSelector("#probs-jump .prob"))).hasSize(2);
    waiting().until(d -> text("cells-visited").matches("\\d+") && Long.parseLong(text("cells-visited")) > 0);
    assertThat(text("world-rooms")).as("env=sim is the map of 9 rooms").matches("\\d+ / 9");
    // each part's entropy beside its name, and the last PPO update's figures once one has ended
    assertThat(driver.findElement(By.cssSelector("#probs-vertical .part")).getText()).matches("Vertical H \\d\\.\\d\\d");
    waiting().until(d -> text("ppo-update").matches("\\d+ \\(v\\d+\\)"));
    assertThat(text("ppo-grad-norm")).matches("[0-9.e+-]+");
    assertThat(text("ppo-kl")).matches("[0-9.e+-]+");
    assertThat(text("ppo-entropy")).startsWith("entropy per part: Vertical ");
    waiting().until(d -> points("chart-ppo") > 0);
    // the whole run's history: a point every 10 s, and still there after a reload
    waiting().until(d -> !d.findElements(By.id("history-reward-mean")).isEmpty() && points("history-reward-mean") > 0);
    driver.navigate().refresh();
    waiting().until(d -> !d.findElements(By.id("history-reward-mean")).isEmpty() && points("history-reward-mean") > 0);
    assertThat(text("history-interval")).isEqualTo("10 s");
    // what the page looked like, for a person to look at (target/console-screenshot.png)
    Files.copy(((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath(),
        Path.of("target", "console-screenshot.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  @DisplayName("Checkpoint and the redeploy form do their work while the agent ticks, and the card says what they did")
  void checkpointAndRedeploy() {
    driver.get("http://127.0.0.1:" + port + "/");
    waiting().until(d -> "running".equals(state()) && ticks() > 0);
    driver.findElement(By.id("btn-checkpoint")).click();
    waiting().until(d -> text("last-checkpoint").contains(".state"));
    assertThat(text("last-checkpoint")).contains("MB").contains("trainer paused");

    new Select(driver.findElement(By.id("redeploy-target"))).selectByValue("trainer");
    driver.findElement(By.id("redeploy-overrides")).sendKeys("vae.lr=0.0005");
    long before = ticks();
    driver.findElement(By.id("btn-redeploy")).click();
    waiting().until(d -> text("last-redeploy").contains("trainer"));
    assertThat(text("last-redeploy")).contains("built in").contains("trainer gap").doesNotContain("failed");
    waiting().until(d -> ticks() > before + 10);

    driver.findElement(By.id("redeploy-overrides")).clear();
    driver.findElement(By.id("redeploy-overrides")).sendKeys("vae.latent=-5");
    driver.findElement(By.id("btn-redeploy")).click();
    waiting().until(d -> text("last-redeploy").contains("failed"));
    assertThat(text("last-redeploy")).contains("vae.latent");
    assertThat(driver.findElement(By.id("last-redeploy")).getAttribute("class")).contains("bad");
    waiting().until(d -> "running".equals(state()));
  }
}
