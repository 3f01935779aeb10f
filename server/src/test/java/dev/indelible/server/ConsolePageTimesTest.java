package dev.indelible.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.projections.reference.DomainEvents;
import dev.indelible.projections.reference.ReferenceProjections;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * How long each console page takes to show its data over a large journal, and what it sends:
 * opt-in, for it appends a million events first ({@code -Dindelible.console.events=1000000}).
 * Prints one line per page; fails when a page takes over a second.
 */
class ConsolePageTimesTest {
    @TempDir
    Path dir;
    @TempDir
    Path profile;

    @Test
    void shouldShowEveryPageWithinASecondOverALargeJournal() {
        long events = Long.getLong("indelible.console.events", 0);
        assumeTrue(events > 0, "opt-in: -Dindelible.console.events=1000000");
        try (Ledger ledger = Ledger.open(dir, DomainEvents.register(LedgerConfig.builder()).build())) {
            long filling = System.nanoTime();
            fill(ledger, events);
            System.out.printf("appended %,d events in %d ms%n", events, (System.nanoTime() - filling) / 1_000_000);
            try (ProjectionEngine engine = ProjectionEngine.start(ledger, dir.resolve("projections"), ReferenceProjections.all());
                 IndelibleServer server = IndelibleServer.start(ledger, engine, Tokens.open(dir),
                     ServerConfig.defaults().withBind("127.0.0.1", 0))) {
                String admin = Tokens.open(dir).create("ops", List.of("*"), EnumSet.of(Verb.ADMIN)).secret();
                measure(server, admin, ledger.head());
            }
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
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("ov-head"), String.format("%,d", head)));
                return true;
            });
            time(browser, "events (stream orders-777, by its index)", () -> {
                browser.findElement(By.id("nav-events")).click();
                browser.findElement(By.id("ev-stream")).sendKeys("orders-777" + Keys.ENTER);
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("ev-summary"), "stream orders-777: 50 events"));
                return true;
            });
            time(browser, "events (prefix orders-77, types, from 0)", () -> {
                browser.findElement(By.id("ev-stream")).clear();
                browser.findElement(By.id("ev-prefix")).sendKeys("orders-77");
                browser.findElement(By.id("ev-type")).sendKeys("order.paid");
                browser.findElement(By.id("ev-from")).sendKeys("0" + Keys.ENTER);
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("ev-summary"), "global_seq 0 to"));
                return true;
            });
            time(browser, "projections", () -> {
                browser.findElement(By.id("nav-projections")).click();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("pj-rows"), "selfies"));
                return true;
            });
            time(browser, "tokens", () -> {
                browser.findElement(By.id("nav-tokens")).click();
                wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#tk-rows tr[data-token=ops]")));
                return true;
            });
        } finally {
            browser.quit();
        }
    }

    private static void time(ChromeDriver browser, String page, Supplier<Boolean> shown) {
        browser.executeScript("performance.clearResourceTimings()");
        long started = System.nanoTime();
        assertTrue(shown.get());
        long millis = (System.nanoTime() - started) / 1_000_000;
        Object bytes = browser.executeScript("return performance.getEntriesByType('resource')"
            + ".filter(r => r.name.includes('/console/api/')).map(r => r.name.replace(/.*\\/console\\/api\\//, '') + ' '"
            + " + r.encodedBodySize + ' B').join(', ')");
        System.out.printf("console page %-42s %5d ms   %s%n", page, millis, bytes);
        assertTrue(millis < 1_000, page + " took " + millis + " ms");
    }
}
