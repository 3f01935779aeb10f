package dev.indelible.ledger;

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
 * The ledger's own audit trail: every operation that changes state (replay, rollback, quarantine,
 * import, backup, restore) is appended as an {@code ops.<operation>} event on {@code ops-<subject>}:
 * who (OS user, host), what, when, the result and its figures. {@code indelible read --type 'ops.*'}
 * prints it.
 *
 * <p>Stateless and thread-safe.
 */
public final class Operations {

    private static final Logger LOG = LoggerFactory.getLogger(Operations.class);

    private Operations() {
    }

    /**
     * Appends one operation. A failure to append is logged, not thrown: the operation itself is
     * done, and the ledger reports its own errors.
     *
     * @param subject what it was done to, e.g. {@code projection-messages} or {@code import-selfies}
     */
    public static void record(Ledger ledger, String operation, String subject, String detail, Instant startedAt,
                              String result, Map<String, String> figures) {
        OperationRecorded op = OperationRecorded.newBuilder()
                .setOperation(operation)
                .setUser(System.getProperty("user.name", ""))
                .setHost(host())
                .setDetail(detail)
                .setResult(result)
                .setStartedAt(ChronoUnit.MICROS.between(Instant.EPOCH, startedAt))
                .putAllFigures(figures)
                .build();
        try {
            AppendResult appended = ledger.append("ops-" + subject, ExpectedVersion.ANY,
                    EventData.protobuf("ops." + operation, op.toByteArray()));
            if (!(appended instanceof AppendResult.Appended)) {
                LOG.warn("the audit event of {} of {} was not appended: {}", operation, subject, appended);
            }
        } catch (RuntimeException e) {
            LOG.warn("the audit event of {} of {} was not appended: {}", operation, subject, e.toString());
        }
    }

    /** The host name, from the kernel: not InetAddress.getLocalHost(), which may ask DNS. */
    public static String host() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "";
        }
    }
}
