package dev.indelible.ledger.kafka.testing;

import static dev.indelible.ledger.testing.Await.await;

import dev.indelible.ledger.testing.ChildJvm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;

/**
 * Real KRaft brokers, each a child JVM running Kafka's own server entry point on a
 * server.properties written here, every listener on 127.0.0.1. (Kafka's in-JVM test kit pre-binds
 * its sockets on every interface whatever {@code listeners} says.) One broker is also the
 * controller; more brokers get a controller process of their own, so stopping any broker leaves
 * the quorum alone. The processes die with this JVM however it ends.
 *
 * <p>Thread-safe.
 */
public final class KafkaCluster implements AutoCloseable {
    private static final int CONTROLLER_ID = 100;
    /** Generous: four JVMs starting Kafka on two busy cores took up to 58 s here. */
    private static final Duration READY = Duration.ofSeconds(180);
    private static final List<String> JVM_OPTIONS = List.of("-Xmx512m", "-XX:+UseSerialGC", "-Djava.awt.headless=true");

    private final Path dir;
    private final String clusterId = Uuid.randomUuid().toString();
    private final Map<Integer, Integer> brokerPorts = new TreeMap<>();
    private final int controllerPort;
    private final Map<Integer, ChildJvm> running = new TreeMap<>();

    private KafkaCluster(Path dir, int brokers) throws IOException {
        this.dir = dir;
        for (int id = 0; id < brokers; id++) {
            brokerPorts.put(id, freePort());
        }
        controllerPort = freePort();
    }

    /** Starts {@code brokers} brokers (and a controller) and waits until every broker serves. */
    public static KafkaCluster start(int brokers) throws Exception {
        long started = System.nanoTime();
        KafkaCluster cluster = new KafkaCluster(Files.createTempDirectory("kafka-cluster"), brokers);
        try {
            if (brokers > 1) {
                cluster.launch(CONTROLLER_ID);
            }
            for (int id : cluster.brokerPorts.keySet()) {
                cluster.launch(id);
            }
            cluster.awaitBrokers(cluster.brokerPorts.keySet());
            System.out.printf("Kafka: %d broker(s) serving on %s after %.1f s%n", brokers, cluster.bootstrapServers(),
                (System.nanoTime() - started) / 1e9);
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    public String bootstrapServers() {
        return brokerPorts.values().stream().map(port -> "127.0.0.1:" + port).collect(Collectors.joining(","));
    }

    /** Every listener port of the cluster: the brokers' and the controller's. */
    public Set<Integer> ports() {
        Set<Integer> ports = new TreeSet<>(brokerPorts.values());
        ports.add(controllerPort);
        return ports;
    }

    public Set<Integer> brokerIds() {
        return brokerPorts.keySet();
    }

    /** Stops one broker with SIGTERM (a controlled shutdown), as a machine taken out of the cluster would leave. */
    public void stopBroker(int id) throws Exception {
        ChildJvm broker;
        synchronized (this) {
            broker = running.remove(id);
        }
        broker.terminate();
        broker.awaitExit(60);
    }

    /** Starts a stopped broker again on its port and log directory, and waits until it serves. */
    public void startBroker(int id) throws Exception {
        launch(id);
        awaitBrokers(Set.of(id));
    }

    private synchronized void launch(int id) throws IOException {
        boolean controller = id == CONTROLLER_ID || brokerPorts.size() == 1;
        boolean broker = id != CONTROLLER_ID;
        Path properties = dir.resolve("node-" + id + ".properties");
        if (!Files.exists(properties)) {
            write(properties, settings(id, broker, controller));
        }
        running.put(id, ChildJvm.startBare(JVM_OPTIONS, KafkaNode.class, dir.resolve("node-" + id + ".err"),
            properties.toString(), clusterId));
    }

    private Properties settings(int id, boolean broker, boolean controller) {
        int controllerId = brokerPorts.size() == 1 ? 0 : CONTROLLER_ID;
        Properties p = new Properties();
        p.setProperty("node.id", String.valueOf(id));
        p.setProperty("process.roles", broker && controller ? "broker,controller" : broker ? "broker" : "controller");
        p.setProperty("controller.quorum.voters", controllerId + "@127.0.0.1:" + controllerPort);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("listener.security.protocol.map", "BROKER:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("log.dirs", dir.resolve("node-" + id).toString());
        String controllerListener = "CONTROLLER://127.0.0.1:" + controllerPort;
        if (!broker) {
            p.setProperty("listeners", controllerListener);
            return p;
        }
        String brokerListener = "BROKER://127.0.0.1:" + brokerPorts.get(id);
        p.setProperty("listeners", controller ? brokerListener + "," + controllerListener : brokerListener);
        p.setProperty("advertised.listeners", brokerListener);
        p.setProperty("inter.broker.listener.name", "BROKER");
        int brokers = brokerPorts.size();
        p.setProperty("offsets.topic.replication.factor", String.valueOf(Math.min(3, brokers)));
        p.setProperty("transaction.state.log.replication.factor", String.valueOf(Math.min(3, brokers)));
        p.setProperty("transaction.state.log.min.isr", String.valueOf(Math.min(2, brokers)));
        p.setProperty("transaction.state.log.num.partitions", "4");
        p.setProperty("offsets.topic.num.partitions", "4");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        p.setProperty("auto.create.topics.enable", "false");
        p.setProperty("num.network.threads", "2");
        p.setProperty("num.io.threads", "4");
        return p;
    }

    /** Waits until every broker of {@code ids} is registered and unfenced. */
    private void awaitBrokers(Set<Integer> ids) throws Exception {
        // The admin client logs a warning for every refused connection: wait for the ports first.
        await(() -> running(ids) && ids.stream().allMatch(id -> accepts(brokerPorts.get(id))), READY,
            () -> "Kafka brokers " + ids + " not listening; " + stderrTails());
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
            await(() -> {
                running(ids);
                try {
                    Set<Integer> serving = admin.describeCluster().nodes().get().stream().map(Node::id)
                        .collect(Collectors.toSet());
                    return serving.containsAll(ids);
                } catch (Exception notYet) {
                    return false;
                }
            }, READY, () -> "Kafka brokers " + ids + " not serving; " + stderrTails());
        }
    }

    /** True, or fails showing the stderr of a node of {@code ids} that exited. */
    private synchronized boolean running(Set<Integer> ids) {
        for (int id : ids) {
            ChildJvm node = running.get(id);
            if (node != null && !node.isAlive()) {
                throw new AssertionError("Kafka node " + id + " exited:\n" + node.stderrText());
            }
        }
        return true;
    }

    /** The end of each running node's stderr, for a failure message (the directory goes at close). */
    private synchronized String stderrTails() {
        StringBuilder tails = new StringBuilder();
        running.forEach((id, node) -> {
            String text = node.stderrText();
            tails.append("\n--- node ").append(id).append(" stderr (end):\n")
                .append(text.substring(Math.max(0, text.length() - 2_000)));
        });
        return tails.toString();
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    @Override
    public synchronized void close() throws Exception {
        for (ChildJvm node : running.values()) {
            node.kill9();
        }
        running.clear();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void write(Path file, Properties properties) {
        try (Writer out = Files.newBufferedWriter(file)) {
            properties.store(out, "written by KafkaCluster");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
