package dev.indelible.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The .deb installed for real with dpkg (as root: CI is), its unit's ExecStart run as the unit's
 * user, removed, then purged. The machine is left as found: the test refuses to run where an
 * indelible package, user or /var/lib/indelible exists already.
 */
class DebianPackageTest {
    private static final Path DATA = Path.of("/var/lib/indelible");
    private static final Path UNIT = Path.of("/lib/systemd/system/indelible.service");
    private static final Path TMP = Path.of(System.getProperty("java.io.tmpdir"));

    @Test
    void shouldInstallServeAsItsUserDrainOnSigtermAndKeepTheDataWhenRemoved() throws Exception {
        assumeTrue(onPath("dpkg"), "dpkg is not on the PATH: the .deb is tested only on Debian and its derivatives");
        assumeTrue("0".equals(output("id", "-u").strip()), "not root: dpkg -i needs root (CI runs as root)");
        assumeFalse(installed() || Files.exists(DATA) || succeeds("getent", "passwd", "indelible"),
            "an indelible package, user or /var/lib/indelible is here already: this test does not touch them");
        Path deb = theDeb();
        try {
            Command.run(TMP, null, 120, List.of("dpkg", "-i", deb.toString()));
            if (Files.isDirectory(Path.of("/run/systemd/system"))) {
                Command.run(TMP, null, 60, List.of("systemctl", "stop", "indelible")); // postinst started it; this test runs it by hand
            }
            assertTrue(Files.isSymbolicLink(Path.of("/usr/bin/indelible")) && Files.isRegularFile(UNIT)
                && Files.isRegularFile(Path.of("/etc/indelible/indelible.conf")));
            assertEquals("indelible indelible 700", output("stat", "-c", "%U %G %a", DATA.toString()).strip());
            try (Stream<Path> lib = Files.list(Path.of("/usr/share/indelible/lib"))) {
                assertTrue(lib.anyMatch(f -> f.toString().endsWith(".jsa")), "postinst made the class-data archive");
            }
            if (onPath("systemd-analyze")) {
                Command.run(TMP, null, 60, List.of("systemd-analyze", "verify", UNIT.toString()));
            } else {
                System.out.println("DebianPackageTest: no systemd-analyze here, the unit file was not verified");
            }
            serveAsTheUnitDoes();
            Command.run(TMP, null, 120, List.of("dpkg", "-r", "indelible"));
            assertTrue(Files.isDirectory(DATA.resolve("journal")), "dpkg -r keeps /var/lib/indelible and its ledger");
            assertFalse(Files.exists(Path.of("/usr/share/indelible")), "dpkg -r leaves no file of the package behind");
            Command.run(TMP, null, 120, List.of("dpkg", "--purge", "indelible"));
            assertTrue(Files.isDirectory(DATA.resolve("journal")), "even a purge keeps the ledger");
        } finally {
            if (installed()) {
                Command.run(TMP, null, 120, List.of("dpkg", "--purge", "indelible"));
            }
            Command.run(TMP, null, 60, List.of("rm", "-rf", DATA.toString())); // made by this test's install
            if (succeeds("getent", "passwd", "indelible")) {
                Command.run(TMP, null, 60, List.of("userdel", "indelible"));
            }
        }
    }

    /** The unit's ExecStart line, as the unit's user in its directory (on free ports: CI may use 7171). */
    private static void serveAsTheUnitDoes() throws Exception {
        List<String> unit = Files.readAllLines(UNIT);
        assertTrue(unit.contains("User=indelible") && unit.contains("ProtectSystem=strict") && unit.contains("NoNewPrivileges=yes")
            && unit.contains("ReadWritePaths=/var/lib/indelible") && unit.contains("Restart=on-failure"), String.join("\n", unit));
        String execStart = unit.stream().filter(l -> l.startsWith("ExecStart=")).findFirst().orElseThrow().substring("ExecStart=".length());
        List<String> argv = new ArrayList<>(List.of("setpriv", "--reuid=indelible", "--regid=indelible", "--init-groups", "--"));
        argv.addAll(Arrays.asList(execStart.split(" ")));
        argv.addAll(List.of("--port", "0"));
        try (Command serve = Command.start(DATA, null, argv)) {
            int port = serve.servedPort(120);
            HttpResponse<String> live = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/health/live")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, live.statusCode(), live.body());
            serve.terminate();
            int exit = serve.awaitExit(45); // the unit's TimeoutStopSec
            assertTrue(exit == 0 || exit == 143, "exit " + exit + " (the unit's SuccessExitStatus takes 143)");
            serve.awaitLine("stopping: requests in flight answered, closing the ledger", 1);
        }
        try (Stream<Path> files = Files.walk(DATA.resolve("journal"))) {
            List<String> notTheUsers = files.filter(f -> !owner(f).equals("indelible")).map(Path::toString).collect(Collectors.toList());
            assertEquals(List.of(), notTheUsers, "every file the service wrote is the indelible user's");
        }
    }

    private static Path theDeb() throws IOException {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("indelible.debDir")))) {
            return files.filter(f -> f.getFileName().toString().matches("indelible_.+_all\\.deb")).findFirst()
                .orElseThrow(() -> new AssertionError("no indelible_*_all.deb: run `package` first"));
        }
    }

    /** Installed, or removed with its conffiles left: either way dpkg knows it. */
    private static boolean installed() {
        String status = output("dpkg-query", "-W", "-f", "${Status}", "indelible");
        return !status.isBlank() && !status.contains("not-installed");
    }

    private static String owner(Path file) {
        try {
            return Files.getOwner(file).getName();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static boolean onPath(String tool) {
        return succeeds("sh", "-c", "command -v " + tool);
    }

    private static boolean succeeds(String... argv) {
        try (Command command = Command.start(TMP, null, List.of(argv))) {
            return command.awaitExit(60) == 0;
        }
    }

    private static String output(String... argv) {
        try (Command command = Command.start(TMP, null, List.of(argv))) {
            command.awaitExit(60);
            return command.stdout();
        }
    }
}
