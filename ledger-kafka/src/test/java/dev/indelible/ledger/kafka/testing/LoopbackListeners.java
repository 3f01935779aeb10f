package dev.indelible.ledger.kafka.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the kernel says is listening on a cluster's ports: every TCP LISTEN socket on those ports,
 * from /proc/net/tcp and tcp6, so a test can prove its brokers accept connections from this
 * machine only.
 *
 * <p>Thread-safe (stateless).
 */
public final class LoopbackListeners {
    private static final String LISTEN = "0A";
    private static final Set<String> LOOPBACK = Set.of(
        "0100007F",                               // 127.0.0.1
        "00000000000000000000000001000000",       // ::1
        "0000000000000000FFFF00000100007F");      // ::ffff:127.0.0.1

    private LoopbackListeners() {
    }

    /**
     * Fails unless every port has a listener and none of them is bound to an address other than
     * loopback (0.0.0.0 and :: count as every interface).
     */
    public static void assertOnlyLoopback(Set<Integer> ports) throws IOException {
        List<String> wide = new ArrayList<>();
        Set<Integer> listening = new TreeSet<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines = Files.readAllLines(Path.of(table));
            for (String line : lines.subList(1, lines.size())) {
                String[] fields = line.trim().split("\\s+");
                String[] local = fields[1].split(":");
                int port = Integer.parseInt(local[1], 16);
                if (!fields[3].equals(LISTEN) || !ports.contains(port)) {
                    continue;
                }
                listening.add(port);
                if (!LOOPBACK.contains(local[0])) {
                    wide.add(table + " LISTEN " + local[0] + " port " + port);
                }
            }
        }
        if (!listening.equals(new TreeSet<>(ports))) {
            throw new AssertionError("no LISTEN socket found for every cluster port " + new TreeSet<>(ports)
                + "; found " + listening);
        }
        if (!wide.isEmpty()) {
            throw new AssertionError("cluster listeners bound beyond loopback (hex address, little-endian): " + wide);
        }
    }
}
