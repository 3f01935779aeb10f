package dev.indelible.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.kafka.testing.KafkaCluster;
import dev.indelible.ledger.kafka.testing.SharedKafka;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command on a Kafka journal, against a real broker on 127.0.0.1: a ledger moved from the
 * embedded journal onto Kafka and back keeps every event, and verify proves it.
 */
@Tag("system")
class KafkaJournalCommandTest {
    /** The module's one shared broker (ClusterForwardingTest's too); each test has topics of its own. */
    private final KafkaCluster kafka = SharedKafka.cluster();

    @TempDir
    Path tmp;

    @Test
    void shouldMoveALedgerOntoKafkaAndBackKeepingEveryEvent() {
        String journal = "kafka://" + kafka.bootstrapServers() + "/cli-" + System.nanoTime();
        Cli embedded = new Cli(tmp.resolve("embedded"));
        for (int i = 0; i < 5; i++) {
            embedded.run("append", "--stream", "s-" + (i % 2), "--type", "custom", "--json", "{\"i\":" + i + "}").expect(0);
        }

        Cli.Result exported = embedded.run("export-journal", "--to", journal).expect(0);
        assertTrue(exported.out().contains("copied 5 events") && exported.out().contains(": equal"), exported.out());
        embedded.run("verify", "--compare", journal).expect(0);

        Cli onKafka = new Cli(tmp.resolve("kafka-side"));
        Cli.Result read = onKafka.run("read", "--journal", journal).expect(0);
        assertEquals(5, read.lines().size(), read.out());
        onKafka.run("append", "--journal", journal, "--stream", "s-9", "--type", "custom", "--json", "{}").expect(0);
        Cli.Result differs = embedded.run("verify", "--compare", journal).expect(Main.VERIFY_FAILED);
        assertTrue(differs.out().contains("5 events with digest"), differs.out());
        Cli.Result status = onKafka.run("status", "--journal", journal).expect(0);
        assertTrue(status.out().contains("6 events"), status.out());

        Path back = tmp.resolve("back");
        Cli.Result returned = onKafka.run("export-journal", "--journal", journal, "--to", back.toString()).expect(0);
        assertTrue(returned.out().contains("copied 6 events"), returned.out());
        new Cli(back).run("verify", "--compare", journal).expect(0);
        new Cli(back).assertJournal(6);

        Cli.Result refused = embedded.run("export-journal", "--to", journal).expect(Main.USAGE);
        assertTrue(refused.err().contains("already holds 6 events"), refused.err());
    }
}
