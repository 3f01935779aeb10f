package dev.indelible.server;

import java.nio.file.Path;

/**
 * A server in its own process for kill -9 tests: {@code ServerMain DATA_DIR [ACK_DELAY_MS]}; prints
 * "port N grpc M" when serving. With a delay, appends are answered that long after they are written.
 */
public final class ServerMain {
    private ServerMain() {
    }

    public static void main(String[] args) throws Exception {
        long delay = args.length > 1 ? Long.parseLong(args[1]) : 0;
        try (ServerFixture f = new ServerFixture(Path.of(args[0]), ServerConfig.defaults(),
                ledger -> delay > 0 ? new SlowAckLedger(ledger, delay) : ledger)) {
            System.out.println("port " + f.server.port() + " grpc " + f.server.grpcPort());
            System.out.flush();
            f.server.awaitStop();
        }
    }
}
