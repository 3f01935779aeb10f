package dev.indelible.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokensTest {
    @TempDir
    Path dir;

    /** Creating or revoking a token writes and syncs the file under the lock; requests meanwhile go on. */
    @Test
    void shouldAuthenticateWhileATokenIsBeingWritten() throws Exception {
        Tokens tokens = Tokens.open(dir);
        Tokens.Created bot = tokens.create("bot", List.of("selfies-*"), EnumSet.of(Verb.APPEND));
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch written = new CountDownLatch(1);
        Thread writer = new Thread(() -> {
            synchronized (tokens) { // as create and revoke hold it while they write the file
                writing.countDown();
                try {
                    written.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        writer.start();
        try {
            assertTrue(writing.await(10, TimeUnit.SECONDS));
            CompletableFuture<Optional<Token>> request = CompletableFuture.supplyAsync(() -> tokens.authenticate(bot.secret()));
            assertEquals("bot", request.get(10, TimeUnit.SECONDS).orElseThrow().name(), "answered without waiting for the write");
            assertTrue(tokens.isValid(bot.token().id()));
        } finally {
            written.countDown();
            writer.join();
        }
    }

    @Test
    void shouldRefuseATokenOnceAnotherProcessRevokedIt() {
        Tokens server = Tokens.open(dir);
        Tokens.Created bot = server.create("bot", List.of("selfies-*"), EnumSet.of(Verb.APPEND));
        assertTrue(server.authenticate(bot.secret()).isPresent());

        assertEquals(1, Tokens.open(dir).revoke("bot")); // as `indelible token revoke` does

        assertEquals(Optional.empty(), server.authenticate(bot.secret()));
        assertEquals(false, server.isValid(bot.token().id()));
    }
}
