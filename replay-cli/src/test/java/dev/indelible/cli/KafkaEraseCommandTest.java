package dev.indelible.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.kafka.testing.KafkaCluster;
import dev.indelible.ledger.kafka.testing.SharedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code erase}, {@code read}, {@code verify} and {@code serve} on a Kafka journal whose keys live in
 * its keys topic: the erasure shows everywhere, and a damaged keys record is reported naming the
 * topic and offset, and refused by serve and append.
 */
@Tag("system")
class KafkaEraseCommandTest {
    /** The module's one shared broker; each test has topics of its own. */
    private final KafkaCluster kafka = SharedKafka.cluster();

    @TempDir
    Path tmp;

    @Test
    void shouldEraseOnKafkaAndReportADamagedKeysTopic() throws Exception {
        String topic = "erase-" + System.nanoTime();
        String journal = "kafka://" + kafka.bootstrapServers() + "/" + topic;
        Cli cli = new Cli(tmp.resolve("data"));
        register(cli, journal, "acc-1", "alice@example.com", "Alice Liddell").expect(0);
        register(cli, journal, "acc-2", "bob@example.com", "Bobby Tables").expect(0);

        cli.run("erase", "--journal", journal, "--subject", "account-acc-2").expect(0);
        String read = cli.run("read", "--journal", journal).expect(0).out();
        assertTrue(read.contains("\"email\":\"alice@example.com\"") && read.contains("\"email\":\"[erased]\"")
            && !read.contains("bob@example.com") && read.contains("\"type\":\"ops.erase\""), read);
        register(cli, journal, "acc-4", "bob@example.com", "Someone Else").expect(Main.CONFLICT);
        String verify = cli.run("verify", "--journal", journal).expect(0).out();
        assertTrue(verify.contains("keys topic '" + topic + "-keys'") && verify.contains("1 subjects erased (account-acc-2)"),
            verify);

        long offset;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
            offset = producer.send(new ProducerRecord<>(topic + "-keys", 0, "key:0:account-acc-9".getBytes(StandardCharsets.UTF_8),
                "not a key record".getBytes(StandardCharsets.UTF_8))).get().offset();
        }
        String where = "keys topic '" + topic + "-keys' of kafka://" + kafka.bootstrapServers() + "/" + topic
            + "?partition=0 has a record at offset " + offset;
        String damaged = cli.run("verify", "--journal", journal).expect(Main.VERIFY_FAILED).out();
        assertTrue(damaged.contains("FOUND  keys: the " + where), damaged);
        Cli.Result serve = cli.run("serve", "--journal", journal, "--port", "0", "--grpc-port", "0", "--no-projections");
        assertTrue(serve.code() != 0 && serve.err().contains(where), serve.err());
        Cli.Result append = register(cli, journal, "acc-3", "carol@example.com", "Carol Danvers");
        assertTrue(append.code() != 0 && append.err().contains(where), append.err());
    }

    /** export-journal carries the keys both ways: the sealed values open on Kafka, and back in a new directory. */
    @Test
    void shouldCarryTheKeysWhenALedgerMovesOntoKafkaAndBack() {
        String journal = "kafka://" + kafka.bootstrapServers() + "/moved-" + System.nanoTime();
        Cli embedded = new Cli(tmp.resolve("embedded"));
        register(embedded, null, "acc-1", "alice@example.com", "Alice Liddell").expect(0);
        register(embedded, null, "acc-2", "bob@example.com", "Bobby Tables").expect(0);
        embedded.run("erase", "--subject", "account-acc-2").expect(0);
        embedded.run("export-journal", "--to", journal).expect(0);

        Cli onKafka = new Cli(tmp.resolve("kafka-side"));
        String read = onKafka.run("read", "--journal", journal).expect(0).out();
        assertTrue(read.contains("\"email\":\"alice@example.com\"") && read.contains("\"email\":\"[erased]\""), read);
        register(onKafka, journal, "acc-3", "alice@example.com", "Another Alice").expect(Main.CONFLICT); // one secret
        assertTrue(onKafka.run("verify", "--journal", journal).expect(0).out().contains("1 subjects erased (account-acc-2)"));

        Path back = tmp.resolve("back");
        onKafka.run("export-journal", "--journal", journal, "--to", back.toString()).expect(0);
        String readBack = new Cli(back).run("read").expect(0).out();
        assertTrue(readBack.contains("\"email\":\"alice@example.com\"") && readBack.contains("\"email\":\"[erased]\""),
            readBack);
    }

    /** Registers an account on {@code journal}, or on the embedded journal when it is null. */
    private static Cli.Result register(Cli cli, String journal, String id, String email, String name) {
        List<String> args = new ArrayList<>(List.of("append", "--stream", "email-" + email, "--type", "account.registered",
            "--expect", "new", "--json", "{\"account_id\": \"" + id + "\", \"email\": \"" + email + "\", \"display_name\": \""
                + name + "\"}"));
        if (journal != null) {
            args.addAll(List.of("--journal", journal));
        }
        return cli.run(args.toArray(String[]::new));
    }
}
