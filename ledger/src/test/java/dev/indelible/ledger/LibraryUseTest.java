package dev.indelible.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.testing.ChildJvm;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ledger used as a library by an application that knows nothing of Chronicle: without the
 * module flags it refuses naming them; with them, and no {@code chronicle.*} property, it turns
 * Chronicle's analytics off itself and no HTTP connection is asked for.
 */
@Tag("system")
class LibraryUseTest {
    @TempDir
    Path dir;

    @Test
    void shouldRefuseWithoutTheModuleFlagsNamingTheOnesMissing() throws Exception {
        try (ChildJvm app = ChildJvm.startBare(List.of(), App.class, dir.resolve("err.txt"), dir.resolve("data").toString())) {
            app.awaitSuccess(60);
            String said = String.join("\n", app.lines());
            assertTrue(said.startsWith("refused: Chronicle Queue, which holds the journal, needs JVM options"), said);
            assertTrue(said.contains("--add-opens=java.base/java.lang=ALL-UNNAMED"), said);
            assertTrue(said.contains("ledger/README.md"), said);
        }
    }

    @Test
    void shouldTurnChronicleAnalyticsOffItselfAndAskForNoConnection() throws Exception {
        List<String> moduleFlags = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
            .filter(a -> a.startsWith("--add-")).toList();
        try (ChildJvm app = ChildJvm.startBare(moduleFlags, App.class, dir.resolve("err.txt"), dir.resolve("data").toString())) {
            app.awaitSuccess(60);
            assertEquals(List.of("appended 1", "received 1", "chronicle.analytics.disable=true", "connections asked for: []"),
                app.lines(), app.stderrText());
        }
    }

    /** An application: opens, appends, subscribes; records every connection a proxy selector is asked about. */
    public static final class App {
        public static void main(String[] args) throws Exception {
            List<URI> asked = new CopyOnWriteArrayList<>();
            ProxySelector.setDefault(new ProxySelector() {
                @Override
                public List<Proxy> select(URI uri) {
                    asked.add(uri);
                    return List.of(Proxy.NO_PROXY);
                }

                @Override
                public void connectFailed(URI uri, SocketAddress address, IOException e) {
                }
            });
            try (Ledger ledger = Ledger.open(Path.of(args[0]), LedgerConfig.defaults())) {
                AppendResult r = ledger.append("orders-1", ExpectedVersion.NO_STREAM,
                    EventData.json("order.placed", "{\"total\":12}".getBytes(StandardCharsets.UTF_8)));
                System.out.println("appended " + (r instanceof AppendResult.Appended ? 1 : 0));
                CountDownLatch received = new CountDownLatch(1);
                try (Subscription s = ledger.subscribe(0, event -> received.countDown())) {
                    System.out.println("received " + (received.await(30, TimeUnit.SECONDS) ? 1 : 0));
                }
            } catch (IllegalStateException refused) {
                System.out.println("refused: " + refused.getMessage());
                return;
            }
            System.out.println("chronicle.analytics.disable=" + System.getProperty("chronicle.analytics.disable"));
            System.out.println("connections asked for: " + asked);
        }
    }
}
