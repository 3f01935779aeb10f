package dev.indelible.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.projections.reference.DomainEvents;
import dev.indelible.projections.reference.ReferenceProjections;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * How long each console page takes to show its data over a large journal while a producer
 * appends, and what it sends, over a million events ({@code -Dindelible.console.events=N} for
 * another size; about 40 s in all, most of it the projections catching up). Prints one line per
 * page; fails when a page takes over a second.
 */
@Tag("system")
class ConsolePageTimesTest {
    private static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
    /** A page shows its data within this. */
    private static final long PAGE = 1_000;
    /** An operation (a rebuild, a verify) reads the whole journal: timed and printed, bounded only by the wait. */
    private static final long OPERATION = Long.MAX_VALUE;

    @TempDir
    Path dir;
    @TempDir
    Path profile;

    @Test
    void shouldShowEveryPageWithinASecondOverALargeJournal() throws InterruptedException {
        long events = Long.getLong("indelible.console.events", 1_000_000);
        try (Ledger ledger = Ledger.open(dir, DomainEvents.register(LedgerConfig.builder()).build())) {
            long filling = System.nanoTime();
            fill(ledger, events);
            System.out.printf("appended %,d events in %d ms%n", events, (System.nanoTime() - filling) / 1_000_000);
            try (ProjectionEngine engine = ProjectionEngine.start(ledger, dir.resolve("projections"), ReferenceProjections.all());
                 IndelibleServer server = IndelibleServer.start(ledger, engine, Tokens.open(dir),
                     ServerConfig.defaults().withBind("127.0.0.1", 0))) {
                String admin = Tokens.open(dir).create("ops", List.of("*"), EnumSet.of(Verb.ADMIN)).secret();
                AtomicBoolean producing = new AtomicBoolean(true);
                Thread producer = new Thread(() -> produce(ledger, producing), "producer");
                producer.start();
                try {
                    measure(server, admin, ledger.head());
                } finally {
                    producing.set(false);
                    producer.join();
                }
            }
        }
    }

    /** A producer whose rate swings between about 50 and 5,000 events a second while the pages are timed. */
    private static void produce(Ledger ledger, AtomicBoolean producing) {
        byte[] payload = "{\"sku\":\"B-2\",\"quantity\":1,\"price_cents\":500}".getBytes(StandardCharsets.UTF_8);
        long started = System.nanoTime();
        while (producing.get()) {
            double seconds = (System.nanoTime() - started) / 1e9;
            int n = 1 + (int) (50 * (1 + Math.sin(seconds / 3)));
            List<EventData> batch = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                batch.add(EventData.json("order.placed", payload));
            }
            ledger.append("orders-live", ExpectedVersion.ANY, batch);
            LockSupport.parkNanos(20_000_000); // pacing the load, not waiting for a condition
        }
    }

    /** Orders on 10,000 streams, JSON, a thousand to an append. */
    private static void fill(Ledger ledger, long events) {
        byte[] payload = "{\"sku\":\"A-1\",\"quantity\":2,\"price_cents\":1999}".getBytes(StandardCharsets.UTF_8);
        for (long i = 0; i < events; i += 1_000) {
            List<EventData> batch = new ArrayList<>();
            for (int j = 0; j < Math.min(1_000, events - i); j++) {
                batch.add(EventData.json(j % 7 == 0 ? "order.paid" : "order.placed", payload));
            }
            ledger.append("orders-" + (i / 1_000 % 10_000), ExpectedVersion.ANY, batch);
        }
    }

    private void measure(IndelibleServer server, String admin, long head) {
        ChromeOptions options = new ChromeOptions().setBinary("/usr/bin/chromium").addArguments("--headless=new",
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,800",
            "--user-data-dir=" + profile);
        ChromeDriver browser = new ChromeDriver(new ChromeDriverService.Builder()
            .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build(), options);
        try {
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
            String base = "http://127.0.0.1:" + server.port() + "/console/";
            browser.get(base);
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("sign-in-token"))).sendKeys(admin + Keys.ENTER);
            time(browser, "events (the latest 50)", () -> {
                browser.findElement(By.id("nav-events")).click();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("ev-summary"), "50 events"));
                return true;
            });
            time(browser, "overview", () -> {
                browser.findElement(By.id("nav-overview")).click();
                wait.until(d -> d.findElement(By.id("ov-head")).getText().replace(",", "").matches("\\d+")
                    && Long.parseLong(d.findElement(By.id("ov-head")).getText().replace(",", "")) >= head);
                return true;
            });
            // the chart with 20 seconds of the producer, for the README's screenshot
            new WebDriverWait(browser, Duration.ofSeconds(60)).until(ExpectedConditions.textMatches(By.id("ov-chart-text"),
                java.util.regex.Pattern.compile("in the last (2\\d|[3-9]\\d|\\d{3}) s")));
            screenshot(browser, "million-overview");
            // typing goes through WebDriver a key at a time: done before the clock starts, the submit timed
            browser.findElement(By.id("nav-events")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("ev-summary"), "50 events"));
            browser.findElement(By.id("ev-stream")).sendKeys("orders-777");
            time(browser, "events (stream orders-777, by its index)", () -> {
                browser.findElement(By.id("ev-stream")).sendKeys(Keys.ENTER);
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("ev-summary"), "stream orders-777: 50 events"));
                return true;
            });
            time(browser, "event's JSON", () -> {
                browser.findElement(By.cssSelector("#ev-rows button")).click();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("ev-json"), "price_cents"));
                return true;
            });
            screenshot(browser, "million-events");
            browser.findElement(By.id("ev-stream")).clear();
            browser.findElement(By.id("ev-prefix")).sendKeys("orders-77");
            browser.findElement(By.id("ev-type")).sendKeys("order.paid");
            browser.findElement(By.id("ev-from")).clear();
            browser.findElement(By.id("ev-from")).sendKeys("0");
            time(browser, "events (prefix orders-77, types, from 0)", () -> {
                browser.findElement(By.id("ev-from")).sendKeys(Keys.ENTER);
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("ev-summary"), "global_seq 0 to"));
                return true;
            });
            time(browser, "projections", () -> {
                browser.findElement(By.id("nav-projections")).click();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("pj-rows"), "selfies"));
                return true;
            });
            time(browser, "projection selfies (versions, quarantine, history)", () -> {
                browser.findElement(By.cssSelector("#pj-rows button[aria-label='Open projection selfies']")).click();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("pj-versions"), "live"));
                return true;
            });
            WebDriverWait operation = new WebDriverWait(browser, Duration.ofMinutes(5));
            time(browser, "rebuild selfies (an operation: not limited)", OPERATION, () -> {
                browser.findElement(By.id("pj-rebuild")).click();
                operation.until(ExpectedConditions.textToBePresentInElementLocated(By.id("pj-bar-text"), "100%"));
                return true;
            });
            time(browser, "tokens", () -> {
                browser.findElement(By.id("nav-tokens")).click();
                wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#tk-rows tr[data-token=ops]")));
                return true;
            });
            time(browser, "audit", () -> {
                browser.findElement(By.id("nav-audit")).click();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("au-rows"), "ops.replay"));
                return true;
            });
            browser.findElement(By.id("nav-verify")).click();
            time(browser, "verify (an operation: not limited)", OPERATION, () -> {
                wait.until(ExpectedConditions.elementToBeClickable(By.id("vf-run"))).click();
                operation.until(ExpectedConditions.textToBePresentInElementLocated(By.id("vf-verdict"), "Intact"));
                return true;
            });
        } finally {
            browser.quit();
        }
    }

    private static void time(ChromeDriver browser, String page, Supplier<Boolean> shown) {
        time(browser, page, PAGE, shown);
    }

    /** Times {@code shown} and prints it with what the page fetched meanwhile; fails past {@code limitMillis}. */
    private static void time(ChromeDriver browser, String page, long limitMillis, Supplier<Boolean> shown) {
        browser.executeScript("performance.clearResourceTimings()");
        long started = System.nanoTime();
        assertTrue(shown.get());
        long millis = (System.nanoTime() - started) / 1_000_000;
        Object bytes = browser.executeScript("return performance.getEntriesByType('resource')"
            + ".filter(r => r.name.includes('/console/api/')).map(r => r.name.replace(/.*\\/console\\/api\\//, '') + ' '"
            + " + r.encodedBodySize + ' B').join(', ')");
        System.out.printf("console page %-52s %6d ms   %s%n", page, millis, bytes);
        assertTrue(millis < limitMillis, page + " took " + millis + " ms");
    }

    private static void screenshot(ChromeDriver browser, String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), SCREENSHOTS.resolve(name + ".png"),
                StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
