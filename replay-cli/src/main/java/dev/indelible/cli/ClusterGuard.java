package dev.indelible.cli;

import dev.indelible.ledger.LedgerInUseException;
import dev.indelible.ledger.kafka.KafkaJournalConfig;
import dev.indelible.ledger.kafka.PartitionedJournalConfig;
import dev.indelible.ledger.kafka.WriterElection;
import java.util.List;

/**
 * A command about to become the writer of a Kafka journal asks first whether nodes serve it as a
 * cluster ({@code serve --cluster}): opening the writer would fence theirs, failing their appends
 * in flight until the elected node fences the command in turn. Nothing is lost either way; the
 * refusal spares the cluster's clients the failover, and the operator the surprise.
 */
final class ClusterGuard {
    static final String OPTION = "--fence-cluster";

    private ClusterGuard() {
    }

    static void check(KafkaJournalConfig kafka, boolean fence) {
        refuseUnless(fence, WriterElection.members(kafka), kafka.describe());
    }

    static void check(PartitionedJournalConfig journal, boolean fence) {
        refuseUnless(fence, WriterElection.members(journal), journal.describe());
    }

    private static void refuseUnless(boolean fence, List<String> nodes, String journal) {
        if (nodes.isEmpty() || fence) {
            return;
        }
        throw new LedgerInUseException(journal + " is served by a cluster (nodes " + String.join(", ", nodes)
            + "): this command would become its writer and fence the cluster's, whose appends in flight would fail"
            + " until a node takes the writer back. Append through a node instead (POST /append, gRPC, erase with"
            + " POST /admin/erase, tokens in its console), stop the nodes first, or pass " + OPTION + "; nothing was written");
    }
}
