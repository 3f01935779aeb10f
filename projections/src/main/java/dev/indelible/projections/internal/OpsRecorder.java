package dev.indelible.projections.internal;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.proto.OperationRecorded;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * Appends what the engine did to a projection (rebuild, rollback, quarantine) to the journal as an
 * {@code ops.*} event on stream {@code ops-projection-<name>}: the ledger keeps its own audit trail.
 *
 * <p>Thread-safe.
 */
final class OpsRecorder {

    private static final Logger LOG = LoggerFactory.getLogger(OpsRecorder.class);

    private final Ledger ledger;

    OpsRecorder(Ledger ledger) {
        this.ledger = ledger;
    }

    void record(String operation, String projection, Instant startedAt, String result, Map<String, String> figures) {
        OperationRecorded op = OperationRecorded.newBuilder()
                .setOperation(operation)
                .setUser(System.getProperty("user.name", ""))
                .setHost(host())
                .setDetail(operation + " of projection " + projection)
                .setResult(result)
                .setStartedAt(ChronoUnit.MICROS.between(Instant.EPOCH, startedAt))
                .putAllFigures(figures)
                .build();
        try {
            AppendResult appended = ledger.append("ops-projection-" + projection, ExpectedVersion.ANY,
                    EventData.protobuf("ops." + operation, op.toByteArray()));
            if (!(appended instanceof AppendResult.Appended)) {
                LOG.warn("the audit event of {} of {} was not appended: {}", operation, projection, appended);
            }
        } catch (RuntimeException e) {
            // The operation itself succeeded; a ledger that cannot take the audit event says so in its own errors.
            LOG.warn("the audit event of {} of {} was not appended: {}", operation, projection, e.toString());
        }
    }

    /** The host name, from the kernel: not InetAddress.getLocalHost(), which may ask DNS. */
    static String host() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "";
        }
    }
}
