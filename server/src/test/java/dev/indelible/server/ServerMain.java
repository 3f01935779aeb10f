package dev.indelible.server;

import java.nio.file.Path;

/**
 * A server in its own process for kill -9 tests: {@code ServerMain DATA_DIR [ACK_DELAY_MS [GRPC_PORT]]};
 * prints "port N grpc M" when serving. With a delay, appends are answered that long after they are
 * written; with a gRPC port, a restarted server answers where the last one did.
 */
public final class ServerMain {
    private ServerMain() {
    }

    public static void main(String[] args) throws Exception {
        long delay = args.length > 1 ? Long.parseLong(args[1]) : 0;
        ServerConfig config = args.length > 2 ? ServerConfig.defaults().withGrpcPort(Integer.parseInt(args[2])) : ServerConfig.defaults();
        try (ServerFixture f = new ServerFixture(Path.of(args[0]), config,
                ledger -> delay > 0 ? new SlowAckLedger(ledger, delay) : ledger)) {
            System.out.println("port " + f.server.port() + " grpc " + f.server.grpcPort());
            System.out.flush();
            f.server.awaitStop();
        }
    }
}
