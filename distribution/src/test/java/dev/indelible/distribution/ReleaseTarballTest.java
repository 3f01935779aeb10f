package dev.indelible.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tarball as a user gets it: unpacked into an empty directory, run with an empty HOME (no
 * ~/.m2) and no source in sight. The full demo runs here, through the packed jars and their
 * child processes, rather than in-process in replay-cli: one run, on what is shipped.
 */
class ReleaseTarballTest {
    private static final Path TARBALL = Path.of(System.getProperty("indelible.tarball"));

    @TempDir
    static Path root;
    static Path release;
    static Map<String, String> env;

    @BeforeAll
    static void unpack() throws IOException {
        Files.createDirectories(root.resolve("unpacked"));
        Files.createDirectories(root.resolve("home"));
        Command.run(root, null, 60, List.of("tar", "-xzf", TARBALL.toString(), "-C", root.resolve("unpacked").toString()));
        try (Stream<Path> top = Files.list(root.resolve("unpacked"))) {
            release = top.collect(Collectors.toList()).get(0);
        }
        env = new HashMap<>(System.getenv());
        env.keySet().removeIf(name -> name.startsWith("INDELIBLE_") || name.startsWith("MAVEN") || name.equals("CLASSPATH"));
        env.put("HOME", root.resolve("home").toString());
    }

    @Test
    void shouldHoldTheCommandTheJarsTheConfigTheLicenceAndTheNotice() throws IOException {
        for (String file : List.of("bin/indelible", "lib/classpath", "config/indelible.conf", "LICENSE", "NOTICE", "README")) {
            assertTrue(Files.isRegularFile(release.resolve(file)), file);
        }
        assertTrue(Files.isExecutable(release.resolve("bin/indelible")));
        assertTrue(Files.readString(release.resolve("LICENSE")).contains("Apache License"));
        String notice = Files.readString(release.resolve("NOTICE"));
        assertTrue(notice.contains("net.openhft:chronicle-queue") && notice.contains("org.rocksdb:rocksdbjni"), notice);
        String launcher = Files.readString(release.resolve("bin/indelible"));
        assertTrue(launcher.contains("--add-opens=java.base/java.nio=ALL-UNNAMED") && !launcher.contains("@indelible"),
            "the parent pom's flags are written in:\n" + launcher);
    }

    @Test
    void shouldHoldTheSameFilesInTheZip() throws IOException {
        Set<String> tarred = Stream.of(Command.run(root, null, 60, List.of("tar", "-tzf", TARBALL.toString())).split("\n"))
            .filter(name -> !name.endsWith("/")).collect(Collectors.toCollection(TreeSet::new));
        Path zip = Path.of(System.getProperty("indelible.zip"));
        try (ZipFile archive = new ZipFile(zip.toFile())) {
            Set<String> zipped = archive.stream().filter(e -> !e.isDirectory()).map(e -> e.getName())
                .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(tarred, zipped);
        }
    }

    @Test
    void shouldPassTheDemoWithoutMavenOrSource() throws IOException {
        Path work = Files.createDirectories(root.resolve("demo-work"));
        try (Command demo = Command.start(work, env, List.of(release.resolve("bin/indelible").toString(), "demo"))) {
            demo.expectExit(300, 0);
            assertTrue(demo.stdout().contains("acknowledged, then lost     0"), demo.stdout());
        }
        assertHomeUntouched();
    }

    @Test
    void shouldServeAnswerHealthAndStopCleanlyOnSigtermThenShowStatus() throws Exception {
        Path data = root.resolve("served");
        // With the shipped config file, as the .deb's unit runs it: every line of it must be one serve takes.
        try (Command serve = Command.start(root, env, List.of(release.resolve("bin/indelible").toString(), "serve",
                "--config", release.resolve("config/indelible.conf").toString(),
                "--data", data.toString(), "--port", "0", "--no-projections"))) {
            int port = serve.servedPort(120);
            HttpResponse<String> live = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/health/live")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, live.statusCode(), live.body());
            assertEquals("{\"status\":\"live\"}", live.body());
            serve.terminate();
            int exit = serve.awaitExit(60);
            assertTrue(exit == 0 || exit == 143, "exit " + exit);
            serve.awaitLine("stopping: requests in flight answered", 1);
        }
        long started = System.nanoTime();
        String status = Command.run(root, env, 120, List.of(release.resolve("bin/indelible").toString(), "status",
            "--data", data.toString()));
        System.out.printf("release: `indelible status` answered in %.2f s wall%n", (System.nanoTime() - started) / 1e9);
        assertTrue(status.contains("0 events"), status);
        assertHomeUntouched();
    }

    @Test
    void shouldStartFromTheClassDataArchiveItMadeOnce() throws IOException {
        Path data = root.resolve("archived");
        Command.run(root, env, 120, List.of(release.resolve("bin/indelible").toString(), "append", "--data", data.toString(),
            "--stream", "s-1", "--type", "t", "--json", "{}"));
        try (Stream<Path> lib = Files.list(release.resolve("lib"))) {
            assertEquals(1, lib.filter(f -> f.getFileName().toString().matches("indelible-\\d+\\.jsa")).count(),
                "one archive for this place and this Java");
        }
        Map<String, String> shareOrFail = new HashMap<>(env);
        shareOrFail.put("INDELIBLE_JAVA_OPTS", "-Xshare:on"); // the JVM refuses to start if the archive does not map
        String status = Command.run(root, shareOrFail, 120, List.of(release.resolve("bin/indelible").toString(), "status",
            "--data", data.toString()));
        assertTrue(status.contains("1 events"), status);
    }

    private static void assertHomeUntouched() throws IOException {
        try (Stream<Path> home = Files.list(root.resolve("home"))) {
            assertEquals(List.of(), home.collect(Collectors.toList()), "nothing in HOME: no ~/.m2, no build");
        }
    }
}
