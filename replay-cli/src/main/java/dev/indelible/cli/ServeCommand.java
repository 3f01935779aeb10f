package dev.indelible.cli;

import dev.indelible.ledger.Durability;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.LedgerPartitions;
import dev.indelible.ledger.kafka.WriterElection;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.projections.reference.ReferenceProjections;
import dev.indelible.server.IndelibleServer;
import dev.indelible.server.ServerConfig;
import dev.indelible.server.Tokens;
import dev.indelible.server.Verb;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Serves the ledger over HTTP/JSON and gRPC until SIGTERM or Ctrl-C, then drains and closes cleanly. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Serves the ledger over HTTP/JSON and gRPC, for producers in any language.",
        "The API, its limits and its security model: server/README.md.",
        "Every request needs a token:",
        "  indelible token create --name bot --streams 'selfies-*' --verbs append,read"})
final class ServeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    @Mixin
    DataOptions data;

    @Option(names = "--bind", paramLabel = "ADDRESS", description = "Address to listen on (default 127.0.0.1).")
    String bind = "127.0.0.1";

    @Option(names = "--port", description = "HTTP port (default " + ServerConfig.DEFAULT_PORT + "; 0 picks free ports for both).")
    int port = ServerConfig.DEFAULT_PORT;

    @Option(names = "--grpc-port", description = "gRPC port (default: the HTTP port + 1).")
    Integer grpcPort;

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "Certificate chain: both APIs then speak TLS only.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "Unencrypted PKCS#8 private key of --tls-cert.")
    Path tlsKey;

    @Option(names = "--insecure", description = "Allow a non-loopback --bind without TLS (behind a TLS proxy only).")
    boolean insecure;

    @Option(names = "--durability", description = "MEMORY_MAPPED (default: survives kill -9) or SYNC (group-commit fsync: survives power loss).")
    Durability durability = Durability.MEMORY_MAPPED;

    @Option(names = "--max-request-bytes", description = "Largest request body (default 1048576).")
    int maxRequestBytes = ServerConfig.defaults().maxRequestBytes();

    @Option(names = "--max-events", description = "Most events in one append request (default 1000).")
    int maxEvents = ServerConfig.defaults().maxEventsPerRequest();

    @Option(names = "--idle-timeout", paramLabel = "SECONDS",
        description = "Close an HTTP connection that moves no byte for this long (default 30).")
    long idleTimeoutSeconds = ServerConfig.defaults().idleTimeout().toSeconds();

    @Option(names = "--no-projections", description = "Do not run the reference projections (queries answer 503).")
    boolean noProjections;

    @Option(names = "--log-file", paramLabel = "FILE",
        description = "Log to FILE, rolled daily and at 100 MB, 30 days kept (default: stderr).")
    Path logFile;

    @Option(names = "--log-format", description = "text (default) or json: one JSON object a line.")
    LogSettings.Format logFormat = LogSettings.Format.text;

    @Option(names = "--cluster", description = "Serve as one node of several on the --journal kafka:// journal: the nodes"
        + " elect each partition's writer through Kafka (over ?partitions=P spread over the nodes), the others forward"
        + " appends to it (ledger-kafka/README.md, Running a cluster).")
    boolean cluster;

    @Option(names = "--advertise", paramLabel = "HOST:PORT",
        description = "With --cluster: this node's gRPC address as the other nodes reach it (default: --bind and the gRPC port).")
    String advertise;

    @Option(names = "--cluster-token-file", paramLabel = "FILE",
        description = "With --cluster: a token with the append and admin verbs on every stream, valid on every node, that a"
            + " node forwards appends and its operations' audit records to the writer with.")
    Path clusterTokenFile;

    @Option(names = "--cluster-session-timeout", paramLabel = "MS",
        description = "With --cluster: a writer silent this long is replaced (default 6000, the brokers' least by default).")
    long clusterSessionTimeoutMs = WriterElection.Settings.DEFAULTS.sessionTimeout().toMillis();

    @Option(names = "--cluster-heartbeat", paramLabel = "MS",
        description = "With --cluster: how often a node tells the group it lives (default 1000).")
    long clusterHeartbeatMs = WriterElection.Settings.DEFAULTS.heartbeatInterval().toMillis();

    @Option(names = ServeSettings.CONFIG_OPTION, paramLabel = "FILE",
        description = "Settings from FILE (default: $INDELIBLE_CONFIG): `key = value` lines, a key being an option's"
            + " name without its dashes (port = 7171). An option given here wins over the environment"
            + " (INDELIBLE_PORT for --port), which wins over the file.")
    Path config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        // Every refusal comes first: a refused serve creates and opens nothing in the data directory.
        ServerConfig config = config();
        InetAddress address = config.checkedAddress();
        data.check();
        checkLogFile();
        LogSettings.apply(logFile, logFormat);
        PrintWriter out = spec.commandLine().getOut();
        CountDownLatch closed = new CountDownLatch(1);
        ClusterOptions clustered = clusterOptions(config);
        try (PortReservation ports = PortReservation.hold(address, config.port(), config.grpcPort());
             LedgerPartitions journal = clustered != null ? clustered.start(data, config) : data.openPartitions(durability);
             ProjectionEngine engine = noProjections ? null
                 : ProjectionEngine.start(journal.ledgers(), data.projections(), ReferenceProjections.all());
             IndelibleServer server = listen(ports, journal, engine, config)) {
            // On SIGTERM: drain the server, then let this thread close the engine and the ledger before the JVM halts.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                awaitQuietly(closed);
            }, "indelible-serve-shutdown"));
            // On Kafka every append is acknowledged once its transaction committed, whatever --durability says.
            String durable = data.partitioned() != null ? "Kafka, " + journal.count() + " partitions: acknowledged once committed"
                : data.kafka() == null ? durability.name() : "Kafka: acknowledged once committed";
            out.printf("serving %s: HTTP on %s://%s:%d, gRPC on %s:%d (%s); stop with Ctrl-C or SIGTERM%n",
                data.dir().toAbsolutePath(), config.tls() ? "https" : "http", server.address().getHostString(), server.port(),
                server.address().getHostString(), server.grpcPort(), durable);
            out.printf("web console on %s://%s:%d/console/ (sign in with a token from: indelible token create --name ops"
                + " --verbs admin)%n", config.tls() ? "https" : "http", server.address().getHostString(), server.port());
            LOG.info("{} serving {} (journal {}): HTTP on {}:{}, gRPC on {}:{}, TLS {}, durability {}, projections {}",
                spec.root().version()[0], data.dir().toAbsolutePath(),
                data.partitioned() != null || data.kafka() != null ? data.describe() : "embedded", server.address().getHostString(),
                server.port(), server.address().getHostString(), server.grpcPort(), config.tls() ? "on" : "off",
                durable, noProjections ? "off" : "on");
            out.flush();
            server.awaitStop();
            out.println("stopping: requests in flight answered, closing the ledger");
            out.flush();
        } finally {
            closed.countDown();
        }
        return Main.OK;
    }

    /** The options as a server configuration, each checked that ServerConfig leaves to its caller. */
    private ServerConfig config() {
        if (maxRequestBytes < 1) {
            throw new IllegalArgumentException("max-request-bytes: must be at least 1, was " + maxRequestBytes);
        }
        if (maxEvents < 1) {
            throw new IllegalArgumentException("max-events: must be at least 1, was " + maxEvents);
        }
        ServerConfig config = ServerConfig.defaults().withBind(bind, port).withInsecure(insecure)
            .withLimits(maxRequestBytes, maxEvents).withIdleTimeout(Duration.ofSeconds(idleTimeoutSeconds));
        if (tlsCert != null && tlsKey != null) { // one without the other: checkedAddress names both
            requireReadable("tls-cert", tlsCert);
            requireReadable("tls-key", tlsKey);
        }
        if (tlsCert != null || tlsKey != null) {
            config = config.withTls(tlsCert, tlsKey);
        }
        return grpcPort == null ? config : config.withGrpcPort(grpcPort);
    }

    /** The cluster options checked, or null without --cluster. */
    private ClusterOptions clusterOptions(ServerConfig config) throws java.io.IOException {
        if (!cluster) {
            return null;
        }
        if (data.partitioned() == null && data.kafka() == null) {
            throw new IllegalArgumentException("cluster: needs --journal kafka://... (the nodes elect their writer through Kafka)");
        }
        if (clusterTokenFile == null) {
            throw new IllegalArgumentException("cluster-token-file: is required with --cluster: a token with the append and"
                + " admin verbs on every stream, valid on every node (the nodes share DATA/server/tokens.json)");
        }
        requireReadable("cluster-token-file", clusterTokenFile);
        String token = Files.readString(clusterTokenFile).strip();
        if (token.isEmpty()) {
            throw new IllegalArgumentException("cluster-token-file: " + clusterTokenFile.toAbsolutePath() + " is empty");
        }
        // A node records its operations (rebuilds, quarantines) through the writer, in the audit
        // streams, which take appends only with the admin verb: a token without it would fail them later.
        Tokens.open(data.dir()).authenticate(token)
            .filter(t -> !t.allowsEvery(Verb.APPEND, "*") || !t.verbs().contains(Verb.ADMIN)).ifPresent(t -> {
            throw new IllegalArgumentException("cluster-token-file: token " + t.name() + " needs the append and admin"
                + " verbs on every stream (it has " + t.verbs().stream().map(Verb::text).sorted().toList() + "): a node"
                + " records its operations in the ops-* audit streams through the writer; create it with"
                + " indelible token create --name " + t.name() + " --streams '*' --verbs append,read,admin");
        });
        String advertised = advertise;
        if (advertised == null) {
            if (config.grpcPort() == 0) {
                throw new IllegalArgumentException("advertise: give --advertise HOST:PORT, or a fixed --grpc-port, with --cluster");
            }
            advertised = config.bind() + ":" + config.grpcPort();
        } else if (!advertised.matches(".+:\\d{1,5}")) {
            throw new IllegalArgumentException("advertise: expected HOST:PORT, was '" + advertised + "'");
        }
        WriterElection.Settings election;
        try {
            election = new WriterElection.Settings(Duration.ofMillis(clusterSessionTimeoutMs),
                Duration.ofMillis(clusterHeartbeatMs), WriterElection.Settings.DEFAULTS.writerLookup());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cluster-session-timeout, cluster-heartbeat: " + e.getMessage(), e);
        }
        return new ClusterOptions(advertised, token, election, config.tls() ? config.tlsCert() : null);
    }

    /** What --cluster needs to start a node, checked before anything is opened. */
    private record ClusterOptions(String advertised, String token, WriterElection.Settings election, Path trustedCert) {
        ClusterNode start(DataOptions data, ServerConfig config) {
            LedgerConfig ledger = data.ledgerConfig(Durability.SYNC);
            return data.partitioned() != null
                ? ClusterNode.start(data.partitioned(), data.dir(), ledger, election, advertised, token, trustedCert)
                : ClusterNode.start(data.kafka(), data.dir(), ledger, election, advertised, token, trustedCert);
        }
    }

    /** A log file serve could not write would lose every line in silence: refused first. */
    private void checkLogFile() {
        if (logFile == null) {
            return;
        }
        Path dir = logFile.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)
            || Files.exists(logFile) && (Files.isDirectory(logFile) || !Files.isWritable(logFile))) {
            throw new IllegalArgumentException("log-file: cannot write " + logFile.toAbsolutePath());
        }
    }

    private static void requireReadable(String option, Path file) {
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException(option + ": cannot read " + file.toAbsolutePath());
        }
    }

    /** The server takes over the reserved ports: they are let go just before it binds them. */
    private IndelibleServer listen(PortReservation ports, LedgerPartitions journal, ProjectionEngine engine, ServerConfig config) {
        ports.close();
        return IndelibleServer.start(journal, engine, Tokens.open(data.dir()), config);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
