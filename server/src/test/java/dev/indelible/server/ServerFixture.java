package dev.indelible.server;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.projections.reference.DomainEvents;
import dev.indelible.projections.reference.ReferenceProjections;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.function.UnaryOperator;

/** A ledger, its reference projections and a server on 127.0.0.1 at a free port. */
final class ServerFixture implements AutoCloseable {
    final Path dir;
    final Ledger ledger;
    final ProjectionEngine engine;
    final Tokens tokens;
    final IndelibleServer server;
    final Http http;

    ServerFixture(Path dir, ServerConfig config) {
        this(dir, config, UnaryOperator.identity());
    }

    /** @param served what the server appends through (a wrapper of the ledger, for fault tests) */
    ServerFixture(Path dir, ServerConfig config, UnaryOperator<Ledger> served) {
        this.dir = dir;
        this.ledger = Ledger.open(dir, DomainEvents.register(LedgerConfig.builder()).build());
        this.engine = ProjectionEngine.start(ledger, dir.resolve("projections"), ReferenceProjections.all());
        this.tokens = Tokens.open(dir);
        ServerConfig local = config.withBind("127.0.0.1", 0);
        if (config.grpcPort() != ServerConfig.defaults().grpcPort()) {
            local = local.withGrpcPort(config.grpcPort()); // a test that restarts a server on its port
        }
        this.server = IndelibleServer.start(served.apply(ledger), engine, tokens, local);
        this.http = new Http(server.port());
    }

    ServerFixture(Path dir) {
        this(dir, ServerConfig.defaults());
    }

    String token(String name, String streams, Verb... verbs) {
        return tokens.create(name, List.of(streams.split(",")), EnumSet.copyOf(List.of(verbs))).secret();
    }

    @Override
    public void close() {
        server.close();
        engine.close();
        ledger.close();
    }
}
