package dev.indelible.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.Operations;
import dev.indelible.ledger.proto.OperationRecorded;
import dev.indelible.server.IndelibleServer;
import dev.indelible.server.ServerConfig;
import dev.indelible.server.Tokens;
import dev.indelible.server.Verb;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A follower whose cluster token the writer node does not hold: every forward fails saying what to fix, nothing is written. */
class WriterForwardingTest {
    @TempDir
    Path writerDir;
    @TempDir
    Path otherDir;

    @Test
    void shouldNameTheClusterTokenWhenTheWriterRefusesIt() throws Exception {
        Tokens.open(writerDir).create("cluster", List.of("*"), EnumSet.of(Verb.APPEND, Verb.READ));
        String unknown = Tokens.open(otherDir).create("cluster", List.of("*"), EnumSet.of(Verb.APPEND)).secret();
        EventData event = EventData.json("custom.thing", "{}".getBytes(StandardCharsets.UTF_8));
        try (Ledger ledger = Ledger.open(writerDir.resolve("data"), LedgerConfig.defaults());
             IndelibleServer writer = IndelibleServer.start(ledger, null, Tokens.open(writerDir),
                 ServerConfig.defaults().withBind("127.0.0.1", 0).withGrpcPort(0));
             WriterForwarding forwarding = new WriterForwarding("127.0.0.1:" + writer.grpcPort(), unknown, null)) {
            ExecutionException async = assertThrows(ExecutionException.class,
                () -> forwarding.appendAsync("s-1", ExpectedVersion.ANY, List.of(event)).get());
            LedgerException blocking = assertThrows(LedgerException.class,
                () -> forwarding.append("s-1", ExpectedVersion.ANY, List.of(event)));

            LedgerException failure = assertInstanceOf(LedgerException.class, async.getCause());
            for (String message : List.of(failure.getMessage(), blocking.getMessage())) {
                assertTrue(message.contains("refused this node's cluster token (UNAUTHENTICATED")
                    && message.contains("--cluster-token-file"), message);
            }
            assertEquals(0, ledger.head(), "nothing written");
        }
    }

    @Test
    void shouldAskForTheAdminVerbWhenTheWriterRefusesAnAuditRecordOfThisNode() throws Exception {
        String withoutAdmin = Tokens.open(writerDir).create("cluster", List.of("*"), EnumSet.of(Verb.APPEND, Verb.READ)).secret();
        try (Ledger ledger = Ledger.open(writerDir.resolve("data"), LedgerConfig.defaults());
             IndelibleServer writer = IndelibleServer.start(ledger, null, Tokens.open(writerDir),
                 ServerConfig.defaults().withBind("127.0.0.1", 0).withGrpcPort(0));
             WriterForwarding forwarding = new WriterForwarding("127.0.0.1:" + writer.grpcPort(), withoutAdmin, null)) {
            // What Operations.record sends through a follower's ClusterLedger: an audit record for the writer.
            EventData record = EventData.protobuf("ops.note", OperationRecorded.newBuilder().setOperation("note").build()
                .toByteArray());
            LedgerException refused = assertThrows(LedgerException.class,
                () -> forwarding.append(Operations.STREAM_PREFIX + "node", ExpectedVersion.ANY, List.of(record)));
            assertTrue(refused.getMessage().contains("PERMISSION_DENIED")
                && refused.getMessage().contains("--verbs append,read,admin"), refused.getMessage());
            assertEquals(0, ledger.head(), "nothing written");
        }
    }
}
