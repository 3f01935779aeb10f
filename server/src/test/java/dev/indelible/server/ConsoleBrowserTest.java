package dev.indelible.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.projections.reference.DomainEvents;
import dev.indelible.projections.reference.ReferenceProjections;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser: Debian's headless Chromium through its chromedriver (paths
 * given, so Selenium never looks for a driver to download), against a real server on 127.0.0.1.
 * Screenshots of each page go to {@code target/console-screenshots/}.
 */
@Tag("system")
class ConsoleBrowserTest {
    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    private static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

    @TempDir
    Path dir;
    @TempDir
    Path profile;
    private Ledger ledger;
    private ProjectionEngine engine;
    private Tokens tokens;
    private IndelibleServer server;
    private ChromeDriver browser;
    private WebDriverWait wait;

    @BeforeEach
    void start() {
        assertTrue(new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute(),
            "the browser test needs Debian's chromium and chromium-driver: apt-get install -y chromium chromium-driver"
                + " (.ci/run installs them)");
        ledger = Ledger.open(dir, DomainEvents.register(LedgerConfig.builder()).build());
        engine = ProjectionEngine.start(ledger, dir.resolve("projections"), ReferenceProjections.all());
        tokens = Tokens.open(dir);
        server = IndelibleServer.start(ledger, engine, tokens, ServerConfig.defaults().withBind("127.0.0.1", 0));
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM).addArguments("--headless=new", "--no-sandbox",
            "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,800", "--user-data-dir=" + profile);
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER))
            .usingAnyFreePort().build(), options);
        wait = new WebDriverWait(browser, Duration.ofSeconds(10));
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
            engine.close();
            ledger.close();
        }
    }

    @Test
    void shouldSignInSeeTheHeadFindAnEventCreateAndRevokeATokenRebuildRollBackVerifySeeItAuditedAndSignOut() throws Exception {
        long started = System.nanoTime();
        String admin = tokens.create("ops", List.of("*"), EnumSet.of(Verb.ADMIN)).secret();
        String bot = tokens.create("bot", List.of("selfies-*"), EnumSet.of(Verb.APPEND)).secret();
        Http api = new Http(server.port());
        for (int i = 1; i <= 5; i++) {
            assertEquals(200, api.post("/streams/selfies-user-" + i, bot, Http.selfie(i, "file-" + i)).status());
        }
        browser.get("http://127.0.0.1:" + server.port() + "/console/");

        WebElement field = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("sign-in-token")));
        field.sendKeys("idl_0000000000000000_wrong" + Keys.ENTER);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("sign-in-error"), "unknown or revoked"));
        field.clear();
        field.sendKeys(admin + Keys.ENTER); // the keyboard alone signs in
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("who"), "signed in as ops"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("ov-head"), Long.toString(ledger.head())));
        assertEquals("0 0", browser.executeScript("return localStorage.length + ' ' + sessionStorage.length"),
            "nothing kept in the page's storage");
        assertEquals("", browser.executeScript("return document.cookie"), "the session cookie is HttpOnly");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("ov-appends-text"), "5 ok, 0 duplicate, 0 refused"));
        screenshot("overview");

        browser.get(browser.getCurrentUrl().replaceAll("#.*", "") + "#events");
        WebElement stream = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("ev-stream")));
        stream.sendKeys("selfies-user-3" + Keys.ENTER);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("ev-summary"), "stream selfies-user-3: 1 events"));
        assertEquals(1, browser.findElements(By.cssSelector("#ev-rows tr")).size());
        browser.findElement(By.cssSelector("#ev-rows button")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("ev-json"), "\"file_id\": \"file-3\""));
        screenshot("events");

        browser.findElement(By.id("nav-tokens")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("tk-name"))).sendKeys("reader");
        browser.findElement(By.id("tk-streams")).sendKeys("selfies-*");
        browser.findElement(By.cssSelector("input[name=verb][value=read]")).click();
        browser.findElement(By.cssSelector("#tk-form button[type=submit]")).click();
        WebElement secret = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("tk-secret")));
        String created = secret.getDomProperty("value");
        browser.findElement(By.id("tk-copy")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("tk-copied"), "copied"));
        assertEquals(200, api.get("/streams/selfies-user-3", created).status(), "the token shown works");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#tk-rows tr[data-token=reader] button[aria-label='revoke reader']")));
        screenshot("tokens");
        browser.findElement(By.cssSelector("#tk-rows tr[data-token=reader] button[aria-label='revoke reader']")).click();
        wait.until(ExpectedConditions.alertIsPresent()).accept();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#tk-rows tr.revoked[data-token=reader]")));
        assertEquals(401, api.get("/streams/selfies-user-3", created).status(), "the next request with it is refused");
        browser.findElement(By.cssSelector("#tk-rows tr[data-token=reader] button[aria-label='audit trail of reader']")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("ev-summary"), "stream ops-token-reader: 2 events"));
        assertEquals(List.of("ops.token_create", "ops.token_revoke"), browser.findElements(By.cssSelector("#ev-rows tr td:nth-child(4)"))
            .stream().map(WebElement::getText).toList());

        browser.findElement(By.id("nav-projections")).click();
        wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("#pj-rows button[aria-label='Open projection selfies']"))).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("pj-versions"), "live"));
        AtomicBoolean rebuilding = new AtomicBoolean(true);
        Thread producer = new Thread(() -> {
            for (int user = 100; rebuilding.get(); user++) {
                api.post("/streams/selfies-user-" + user, bot, Http.selfie(user, "during-rebuild"));
            }
        });
        producer.start();
        try {
            browser.findElement(By.id("pj-rebuild")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("pj-bar-text"), "100%"));
        } finally {
            rebuilding.set(false);
            producer.join();
        }
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("pj-new")));
        assertTrue(browser.findElement(By.id("pj-new")).getText().matches("v1-000002 [0-9a-f]{64}"),
            browser.findElement(By.id("pj-new")).getText());
        screenshot("projections");
        wait.until(ExpectedConditions.elementToBeClickable(By.id("pj-rollback"))).click();
        wait.until(ExpectedConditions.elementToBeClickable(By.id("pj-confirm-yes"))).sendKeys(Keys.ENTER);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("pj-bar-text"), "Rolled back: v1-000001 is live"));
        assertEquals("v1-000001", engine.status("selfies").liveVersion());

        browser.findElement(By.id("nav-verify")).click();
        wait.until(ExpectedConditions.elementToBeClickable(By.id("vf-run"))).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("vf-verdict"), "Intact"));
        screenshot("verify");

        browser.findElement(By.id("nav-audit")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("au-rows"), "ops.verify"));
        assertEquals(List.of("ops.verify", "ops.rollback", "ops.replay", "ops.token_revoke", "ops.token_create"),
            browser.findElements(By.cssSelector("#au-rows tr td:nth-child(2)")).stream().map(WebElement::getText).toList(),
            "every change the console made, newest first");
        assertEquals("token ops", browser.findElement(By.cssSelector("#au-rows tr td:nth-child(4)")).getText());
        screenshot("audit");
        browser.manage().window().setSize(new Dimension(390, 844));
        assertEquals(Boolean.TRUE, browser.executeScript(
            "return document.documentElement.scrollWidth <= window.innerWidth"), "the audit page at a phone's width");
        browser.findElement(By.id("nav-projections")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("pj-versions")));
        assertEquals(Boolean.TRUE, browser.executeScript(
            "return document.documentElement.scrollWidth <= window.innerWidth"), "a projection's page at a phone's width");
        screenshot("projections-phone");
        browser.findElement(By.id("nav-overview")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("ov-head"), Long.toString(ledger.head())));
        assertEquals(Boolean.TRUE, browser.executeScript(
            "return document.documentElement.scrollWidth <= window.innerWidth"), "no sideways scrolling at a phone's width");
        screenshot("overview-phone");

        browser.findElement(By.id("sign-out")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("sign-in-token")));
        Object status = browser.executeAsyncScript("const done = arguments[arguments.length - 1];"
            + " fetch('/console/api/overview').then(r => done(r.status))");
        assertEquals(401L, status, "signed out: the session is gone on the server too");
        System.out.printf("ConsoleBrowserTest: the whole walk took %d ms%n", (System.nanoTime() - started) / 1_000_000);
    }

    private void screenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        File shot = browser.getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }
}
