package dev.indelible.ledger.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Where streams go must never change between versions: fixed names pinned to fixed partitions. */
class PartitionRuleTest {

    @ParameterizedTest
    @CsvSource({
        "account-42, accounts, 1",
        "email-alice@example.com, accounts, 1",
        "member-alice, community, 1",
        "prayer-7, community, 1",
        "selfies-user-1201911108, selfies-user-1201911108, 2",
        "video-abc, video-abc, 1",
        "ops-replay, ops-replay, 0",
        "ops-token-bot, ops-token-bot, 0",
        "ops-erasures, ops-erasures, 0",
        "s, s, 2",
        "é-ünïcode, é-ünïcode, 2",
    })
    void shouldPlaceReferenceStreamsWhereTheyAlwaysWent(String stream, String key, int partition) {
        PartitionRule rule = PartitionRule.reference(3);

        assertEquals(key, rule.keyOf(stream));
        assertEquals(partition, rule.partitionOf(stream));
    }

    @ParameterizedTest
    @CsvSource({"a, 4", "b, 4", "stream-1, 6", "stream-2, 4", "stream-3, 5"})
    void shouldHashAStreamWithoutAPatternByItsName(String stream, int partition) {
        assertEquals(partition, PartitionRule.of(8, "").partitionOf(stream));
    }

    @Test
    void shouldAgreeWithKafkasKeyedPartitioner() {
        PartitionRule rule = PartitionRule.of(7, "");
        for (int i = 0; i < 1_000; i++) {
            String stream = "stream-" + i;
            assertEquals(BuiltInPartitioner.partitionForKey(stream.getBytes(StandardCharsets.UTF_8), 7), rule.partitionOf(stream));
        }
    }

    @Test
    void shouldKeyByWhatTheStarMatched() {
        PartitionRule rule = PartitionRule.of(5, "tenant-*-orders=tenant-*,tenant-*-invoices=tenant-*,global=tenant-0");

        assertEquals("tenant-9", rule.keyOf("tenant-9-orders"));
        assertEquals(rule.partitionOf("tenant-9-orders"), rule.partitionOf("tenant-9-invoices"));
        assertEquals("tenant-0", rule.keyOf("global"));
        assertEquals("tenant--orders", rule.keyOf("tenant--orders"), "* matches one or more characters");
        assertEquals("global-2", rule.keyOf("global-2"), "a literal pattern matches the whole name only");
    }

    @Test
    void shouldRefuseABadRuleNamingTheSetting() {
        assertMessage("partitions: must be >= 1, was 0", () -> PartitionRule.of(0, ""));
        assertMessage("partition.keys: 'account-' is not PATTERN=KEY", () -> PartitionRule.of(3, "account-"));
        assertMessage("partition.keys: pattern 'a-*-*' has more than one *", () -> PartitionRule.of(3, "a-*-*=k"));
        assertMessage("partition.keys: key 'k-*' may use * once, and only when its pattern 'a' has one",
            () -> PartitionRule.of(3, "a=k-*"));
    }

    @Test
    void shouldParseAnAddressWithPartitions() {
        PartitionedJournalConfig config = PartitionedJournalConfig.parse(
            "kafka://127.0.0.1:9092/events?partitions=4&partition.keys=order-*=*,invoice-*=*&transactional.id=shop");

        assertEquals(4, config.partitions());
        assertEquals(config.rule().partitionOf("order-17"), config.rule().partitionOf("invoice-17"));
        assertEquals("shop", config.partition(0).transactionalId());
        assertEquals("shop-3", config.partition(3).transactionalId());
        assertEquals("indelible-events-2", PartitionedJournalConfig.parse("kafka://h:1/events?partitions=3")
            .partition(2).transactionalId());
        assertEquals(PartitionRule.reference(3), PartitionedJournalConfig.parse("kafka://h:1/events?partitions=3").rule());
        assertEquals("a+b-*=x%,c-*=*", PartitionedJournalConfig.parse("kafka://h:1/e?partitions=2&partition.keys=a+b-*=x%25,c-*=*")
            .rule().keys());
    }

    @Test
    void shouldRefuseAnAddressThatMixesOneAndSeveralPartitions() {
        assertMessage("journal: partitions: is required (the topic's partition count)",
            () -> PartitionedJournalConfig.parse("kafka://h:1/events"));
        assertMessage("journal: partition: not with partitions=N: the journal is every partition of the topic",
            () -> PartitionedJournalConfig.parse("kafka://h:1/events?partitions=3&partition=1"));
        assertMessage("journal: partitions must be a number, was 'x'",
            () -> PartitionedJournalConfig.parse("kafka://h:1/events?partitions=x"));
        IllegalArgumentException single = assertThrows(IllegalArgumentException.class,
            () -> KafkaJournalConfig.parse("kafka://h:1/events?partitions=3"));
        assertTrue(single.getMessage().startsWith("journal: partitions: a journal over several partitions"), single.getMessage());
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable bad) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, bad).getMessage());
    }
}
