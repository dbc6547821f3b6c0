package dev.parigot.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.host.AppHost;
import dev.parigot.host.RunningApp;
import dev.parigot.kernel.Manifest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The admin endpoint's dashboard of examples/http, in Debian's chromium driven by chromium-driver
 * (headless). With {@code -Dparigot.screenshot=FILE} it also saves a screenshot there, which is how
 * README.md's picture is taken (scripts/dashboard-screenshot).
 */
class DashboardBrowserTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  @TempDir Path dir;

  private RunningApp app;
  private ChromeDriver browser;
  private String token;

  @BeforeEach
  void start() throws Exception {
    assertThat(CHROMIUM).as("Debian's chromium (.ci/run installs it)").isExecutable();
    assertThat(DRIVER).as("Debian's chromium-driver (.ci/run installs it)").isExecutable();
    Path copy = Examples.copy("http", dir).resolve("app.toml");
    Files.writeString(copy, Files.readString(copy).replace("127.0.0.1:8080", "127.0.0.1:0"));
    Manifest manifest = Manifest.load(copy);
    app = AppHost.builder(manifest).output((p, err, line) -> {}).admin(0).build().start();
    token = Files.readString(manifest.dataDir().resolve("admin.token")).trim();
    var options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--window-size=1400,1000");
    browser =
        new ChromeDriver(
            new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).build(),
            options);
  }

  @AfterEach
  void stop() {
    if (browser != null) {
      browser.quit();
    }
    app.close();
  }

  private void get(String path) throws Exception {
    try (HttpClient client = HttpClient.newHttpClient()) {
      client.send(
          HttpRequest.newBuilder(
                  URI.create(
                      "http://127.0.0.1:" + app.httpAddress().orElseThrow().getPort() + path))
              .build(),
          BodyHandlers.discarding());
    }
  }

  private WebDriverWait waiting() {
    var wait = new WebDriverWait(browser, Duration.ofSeconds(60));
    wait.ignoring(StaleElementReferenceException.class);
    return wait;
  }

  private String script(String js) {
    return String.valueOf(browser.executeScript(js));
  }

  /** The text of each element {@code css} selects, read in one script. */
  @SuppressWarnings("unchecked")
  private List<String> texts(String css) {
    return (List<String>)
        browser.executeScript(
            "return Array.from(document.querySelectorAll(arguments[0])).map(e => e.innerText);",
            css);
  }

  private String admin() {
    return "http://127.0.0.1:" + app.adminAddress().orElseThrow().getPort() + "/";
  }

  @Test
  void theDashboardShowsTheProcessesTheCallGraphRecentCallsAndLogs() throws Exception {
    for (String name : List.of("ada", "grace", "barbara")) {
      get("/hello/" + name);
    }
    get("/hello/" + "x".repeat(100)); // refused by the greeter: an error on the graph
    get("/nowhere");

    browser.get(admin() + "#token=" + token);
    waiting()
        .until(
            d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-loaded")));

    assertThat(browser.findElement(By.id("app")).getText()).isEqualTo("http");
    // The tables and the graph are redrawn every 2 s: each is read in one script, at once.
    List<String> rows = texts("#processes tbody tr");
    assertThat(rows).hasSize(2);
    assertThat(rows)
        .anySatisfy(r -> assertThat(r).containsPattern("greeter\\[\\d+]\\s+(waiting|running)\\s"));
    assertThat(rows).anySatisfy(r -> assertThat(r).contains("front["));
    assertThat(
            script(
                "var e = document.querySelector(\"#graph g.edge[data-from='front']"
                    + "[data-to='greeter']\"); return e.getAttribute('class') + '|' + e.textContent;"))
        .startsWith("edge failing|")
        .endsWith("/s, 1 errors");
    assertThat(
            script(
                "return Array.from(document.querySelectorAll('#graph g.node'))"
                    + ".map(n => n.dataset.name).sort().join(' ');"))
        .isEqualTo("front greeter http");
    assertThat(texts("#recent tbody tr").size()).isGreaterThanOrEqualTo(9);

    String screenshot = System.getProperty("parigot.screenshot", "");
    if (!screenshot.isEmpty()) {
      Files.copy(
          browser.getScreenshotAs(OutputType.FILE).toPath(),
          Path.of(screenshot),
          StandardCopyOption.REPLACE_EXISTING);
    }

    String greeterPid =
        "var b = document.querySelector(\"button[data-restart='greeter']\");"
            + " return b ? b.closest('tr').dataset.pid : '';";
    String before = script(greeterPid);
    assertThat(before).isNotEmpty();
    browser.findElement(By.cssSelector("button[data-restart='greeter']")).click();
    waiting().until(ExpectedConditions.alertIsPresent()).accept();
    waiting().until(d -> d.findElement(By.id("action")).getText().equals("greeter restarted"));
    waiting().until(d -> !script(greeterPid).isEmpty() && !script(greeterPid).equals(before));

    browser.findElement(By.cssSelector("button[data-program='greeter']")).click();
    waiting().until(ExpectedConditions.alertIsPresent()).accept();
    waiting()
        .until(d -> d.findElement(By.id("logs")).getText().contains("killed through the admin"));
    waiting()
        .until(d -> texts("#processes tbody tr").stream().noneMatch(r -> r.contains("greeter[")));
  }

  @Test
  void withoutATokenTheDashboardAsksForOneAndAWrongOneIsRefused() {
    browser.get(admin());
    WebElement form =
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("login")));
    assertThat(browser.findElement(By.id("board")).isDisplayed()).isFalse();
    browser.findElement(By.id("token")).sendKeys("0".repeat(64));
    form.findElement(By.tagName("button")).click();
    waiting().until(ExpectedConditions.textToBe(By.id("status"), "the token was refused"));
    assertThat(browser.findElement(By.id("board")).isDisplayed()).isFalse();
  }
}
