package dev.indelible.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.kafka.KafkaJournalConfig;
import dev.indelible.ledger.kafka.PartitionedJournalConfig;
import dev.indelible.ledger.kafka.WriterElection;
import dev.indelible.ledger.kafka.testing.KafkaCluster;
import dev.indelible.ledger.kafka.testing.SharedKafka;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands that would become the writer of a Kafka journal a cluster serves are refused unless
 * {@code --fence-cluster}; the node here is a real member of the writer election, in this process.
 */
@Tag("system")
class KafkaClusterGuardTest {
    private final KafkaCluster kafka = SharedKafka.cluster();

    @TempDir
    Path tmp;

    @Test
    void shouldRefuseToWriteAJournalAClusterServesUnlessToldToFenceIt() throws Exception {
        String journal = "kafka://" + kafka.bootstrapServers() + "/guarded-" + System.nanoTime();
        Cli cli = new Cli(tmp.resolve("data"));
        append(cli, journal, "before").expect(Main.OK);

        CountDownLatch elected = new CountDownLatch(1);
        try (WriterElection node = WriterElection.join(KafkaJournalConfig.parse(journal), WriterElection.Settings.DEFAULTS,
                "127.0.0.1:7399", new Node(elected))) {
            assertTrue(elected.await(60, TimeUnit.SECONDS), "the node was not elected");
            Cli.Result refused = append(cli, journal, "refused");
            assertEquals(Main.CONFLICT, refused.code(), refused.err());
            assertTrue(refused.err().contains("is served by a cluster (nodes 127.0.0.1:7399)")
                && refused.err().contains("--fence-cluster") && refused.err().contains("nothing was written"), refused.err());
            Cli embedded = new Cli(tmp.resolve("embedded"));
            append(embedded, null, "elsewhere").expect(Main.OK);
            Cli.Result export = embedded.run("export-journal", "--to", journal);
            assertEquals(Main.CONFLICT, export.code(), export.err());
            assertTrue(export.err().contains("is served by a cluster"), export.err());
            assertTrue(cli.run("read", "--journal", journal).expect(Main.OK).out().contains("\"note\":\"before\""));
            append(cli, journal, "fenced", "--fence-cluster").expect(Main.OK);
        }
        // The node left its group on close: nothing serves the journal any more.
        append(cli, journal, "after").expect(Main.OK);
        String read = cli.run("read", "--journal", journal).expect(Main.OK).out();
        assertTrue(read.contains("\"note\":\"before\"") && read.contains("\"note\":\"fenced\"")
            && read.contains("\"note\":\"after\"") && !read.contains("\"note\":\"refused\""), read);
    }

    @Test
    void shouldRefuseTheWritersOfAPartitionedJournalAClusterServes() throws Exception {
        String journal = "kafka://" + kafka.bootstrapServers() + "/guarded-p-" + System.nanoTime() + "?partitions=2";
        Cli cli = new Cli(tmp.resolve("data"));
        CountDownLatch elected = new CountDownLatch(2);
        try (WriterElection node = WriterElection.join(PartitionedJournalConfig.parse(journal), WriterElection.Settings.DEFAULTS,
                "127.0.0.1:7398", List.of(new Node(elected), new Node(elected)))) {
            assertTrue(elected.await(60, TimeUnit.SECONDS), "the node was not elected");
            Cli.Result refused = cli.run("token", "create", "--journal", journal, "--name", "bot", "--streams", "selfies-*",
                "--verbs", "append");
            assertEquals(Main.CONFLICT, refused.code(), refused.err());
            assertTrue(refused.err().contains("is served by a cluster (nodes 127.0.0.1:7398)"), refused.err());
        }
    }

    private static Cli.Result append(Cli cli, String journal, String note, String... more) {
        List<String> args = new ArrayList<>(List.of("append", "--stream", "notes-1", "--type", "note.written",
            "--json", "{\"note\":\"" + note + "\"}"));
        if (journal != null) {
            args.addAll(List.of("--journal", journal));
        }
        args.addAll(List.of(more));
        return cli.run(args.toArray(String[]::new));
    }

    /** A node that is elected and opens nothing: the command must not open the writer beside it. */
    private record Node(CountDownLatch wins) implements WriterElection.Role {
        @Override
        public boolean elected() {
            wins.countDown();
            return true;
        }

        @Override
        public void deposed() {
        }
    }
}
