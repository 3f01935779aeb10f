package dev.indelible.server;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How {@code indelible serve} listens and what it accepts. Every limit is answered with a clear
 * error naming it (413 or 400), never a dropped connection.
 *
 * @param bind                address to listen on; loopback unless the operator says otherwise
 * @param port                HTTP port; 0 for any free port
 * @param grpcPort            gRPC port; by default the HTTP port + 1 (0 with an HTTP port of 0)
 * @param tlsCert             PEM certificate chain; with {@code tlsKey}, both APIs speak TLS only
 * @param tlsKey              PEM PKCS#8 private key
 * @param insecure            allow a non-loopback bind without TLS (the operator's explicit choice)
 * @param maxRequestBytes     largest request body (default 1 MiB)
 * @param maxEventsPerRequest most events in one append (default 1,000)
 * @param maxReadLimit        most events one read returns (default 1,000)
 * @param threads             gRPC calls handled at once, more waiting in a queue of {@code 4 x threads}; HTTP
 *                            has {@code threads + 8}, and one token at most {@code threads / 2} of them
 * @param failedAuthPerMinute failed authentications from one address before it gets 429 for the rest of the minute
 * @param idleTimeout         an HTTP connection that moves no byte for this long is closed (default 30 s): a
 *                            stalled header or upload, a client that stops reading its answer
 */
public record ServerConfig(String bind, int port, int grpcPort, Path tlsCert, Path tlsKey, boolean insecure, int maxRequestBytes, int maxEventsPerRequest,
                           int maxReadLimit, int threads, int failedAuthPerMinute, Duration idleTimeout) {

    public static final int DEFAULT_PORT = 7171;

    public static ServerConfig defaults() {
        return new ServerConfig("127.0.0.1", DEFAULT_PORT, DEFAULT_PORT + 1, null, null, false, 1 << 20, 1_000, 1_000, 64, 20, Duration.ofSeconds(30));
    }

    /** Listens on {@code bind} at {@code port} (HTTP) and {@code port + 1} (gRPC), or at free ports for 0. */
    public ServerConfig withBind(String bind, int port) {
        return new ServerConfig(bind, port, port == 0 ? 0 : port + 1, tlsCert, tlsKey, insecure, maxRequestBytes, maxEventsPerRequest, maxReadLimit, threads, failedAuthPerMinute, idleTimeout);
    }

    public ServerConfig withInsecure(boolean insecure) {
        return new ServerConfig(bind, port, grpcPort, tlsCert, tlsKey, insecure, maxRequestBytes, maxEventsPerRequest, maxReadLimit, threads, failedAuthPerMinute, idleTimeout);
    }

    public ServerConfig withLimits(int maxRequestBytes, int maxEventsPerRequest) {
        return new ServerConfig(bind, port, grpcPort, tlsCert, tlsKey, insecure, maxRequestBytes, maxEventsPerRequest, maxReadLimit, threads, failedAuthPerMinute, idleTimeout);
    }

    public ServerConfig withFailedAuthPerMinute(int failedAuthPerMinute) {
        return new ServerConfig(bind, port, grpcPort, tlsCert, tlsKey, insecure, maxRequestBytes, maxEventsPerRequest, maxReadLimit, threads, failedAuthPerMinute, idleTimeout);
    }

    public ServerConfig withTls(Path tlsCert, Path tlsKey) {
        return new ServerConfig(bind, port, grpcPort, tlsCert, tlsKey, insecure, maxRequestBytes, maxEventsPerRequest, maxReadLimit, threads, failedAuthPerMinute, idleTimeout);
    }

    public ServerConfig withIdleTimeout(Duration idleTimeout) {
        return new ServerConfig(bind, port, grpcPort, tlsCert, tlsKey, insecure, maxRequestBytes, maxEventsPerRequest, maxReadLimit, threads, failedAuthPerMinute, idleTimeout);
    }

    public boolean tls() {
        return tlsCert != null;
    }

    public ServerConfig withGrpcPort(int grpcPort) {
        return new ServerConfig(bind, port, grpcPort, tlsCert, tlsKey, insecure, maxRequestBytes, maxEventsPerRequest, maxReadLimit, threads, failedAuthPerMinute, idleTimeout);
    }

    /**
     * The address to bind, after checking every setting: a non-loopback bind without TLS or
     * {@code insecure} is refused, since tokens would cross the network in clear. Callers check
     * before they open anything, so a refused configuration leaves nothing behind.
     *
     * @throws IllegalArgumentException naming the setting
     */
    public InetAddress checkedAddress() {
        InetAddress address;
        try {
            address = InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bind: '" + bind + "' is not an address: " + e.getMessage());
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("tls-cert/tls-key: give both or neither");
        }
        if (!address.isLoopbackAddress() && tlsCert == null && !insecure) {
            throw new IllegalArgumentException("bind: " + bind + " is not a loopback address; bearer tokens would cross the"
                + " network in clear. Give --tls-cert and --tls-key, or --insecure behind a TLS proxy");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port: must be 0 to 65535, was " + port);
        }
        if (grpcPort < 0 || grpcPort > 65_535 || (grpcPort == port && port != 0)) {
            throw new IllegalArgumentException("grpc-port: must be 0 to 65535 and not the HTTP port, was " + grpcPort);
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idle-timeout: must be positive, was " + idleTimeout);
        }
        return address;
    }
}
