package dev.indelible.server;

import dev.indelible.ledger.EventData;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.LedgerPartitions;
import dev.indelible.ledger.Operations;
import dev.indelible.ledger.Transaction;
import dev.indelible.projections.reference.DomainEvents;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A journal of three partitions for the server's tests, each an embedded ledger of its own: a
 * stream's partition is the number its name ends with, modulo 3 (none: 0), the audit trail in
 * partition 0. A transaction over two partitions is refused naming the second stream, as
 * ledger-kafka's PartitionedLedger does (whose own rule its tests cover).
 */
final class ThreePartitions implements LedgerPartitions {
    private final List<Ledger> ledgers = new ArrayList<>();

    ThreePartitions(Path dir) {
        LedgerConfig config = DomainEvents.register(LedgerConfig.builder()).build();
        for (int p = 0; p < 3; p++) {
            ledgers.add(Ledger.open(dir.resolve("partition-" + p), config));
        }
    }

    @Override
    public List<Ledger> ledgers() {
        return List.copyOf(ledgers);
    }

    @Override
    public int partitionOf(String stream) {
        if (stream.startsWith(Operations.STREAM_PREFIX)) {
            return 0;
        }
        int end = stream.length();
        while (end > 0 && Character.isDigit(stream.charAt(end - 1))) {
            end--;
        }
        return end == stream.length() ? 0 : (int) (Long.parseLong(stream.substring(Math.max(end, stream.length() - 9))) % 3);
    }

    @Override
    public Ledger ledgerFor(String stream, List<EventData> events) {
        return ledgers.get(stream == null ? 0 : partitionOf(stream));
    }

    @Override
    public Ledger ledgerFor(Transaction transaction) {
        String first = null;
        for (int i = 0; i < transaction.parts().size(); i++) {
            String stream = transaction.parts().get(i).stream();
            if (first == null) {
                first = stream;
            } else if (partitionOf(stream) != partitionOf(first)) {
                throw new InvalidEventException("parts[" + i + "].stream", "'" + stream + "' is in partition "
                    + partitionOf(stream) + " but parts[0].stream '" + first + "' is in partition " + partitionOf(first));
            }
        }
        return ledgers.get(first == null ? 0 : partitionOf(first));
    }

    @Override
    public void close() {
        ledgers.forEach(Ledger::close);
    }

    /** A server on 127.0.0.1 at a free port over three partitions in {@code dir}, with {@code tokens}, without projections. */
    static Served serve(Path dir, Tokens tokens) {
        ThreePartitions journal = new ThreePartitions(dir);
        try {
            return new Served(journal, IndelibleServer.start(journal, null, tokens,
                ServerConfig.defaults().withBind("127.0.0.1", 0)));
        } catch (RuntimeException e) {
            journal.close();
            throw e;
        }
    }

    /** A server and its journal, closed together. */
    record Served(ThreePartitions journal, IndelibleServer server) implements AutoCloseable {
        @Override
        public void close() {
            server.close();
            journal.close();
        }
    }
}
