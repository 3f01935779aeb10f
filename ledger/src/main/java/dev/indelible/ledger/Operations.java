package dev.indelible.ledger;

import dev.indelible.ledger.proto.OperationRecorded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The ledger's own audit trail: every operation that changes state (replay, rollback, quarantine,
 * import, backup, restore) is appended as an {@code ops.<operation>} event on {@code ops-<subject>}:
 * who (OS user, host), what, when, the result and its figures. {@code indelible read --type 'ops.*'}
 * prints it.
 *
 * <p>Stateless and thread-safe.
 */
public final class Operations {
    /** The audit streams' names begin with it: {@code ops-<subject>}. */
    public static final String STREAM_PREFIX = "ops-";

    private Operations() {
    }

    /**
     * Appends one operation's audit event. An operation whose audit event cannot be written fails:
     * the trail is the point, so it is never skipped with a warning.
     *
     * @param subject what it was done to, e.g. {@code projection-messages} or {@code import-selfies}
     * @throws LedgerException when the event cannot be appended (a full disk, a failed journal)
     */
    public static void record(Ledger ledger, String operation, String subject, String detail, Instant startedAt,
                              String result, Map<String, String> figures) {
        EventData event = event(operation, detail, startedAt, result, figures);
        AppendResult appended;
        try {
            appended = ledger.append(STREAM_PREFIX + subject, ExpectedVersion.ANY, event);
        } catch (RuntimeException e) {
            throw notWritten(operation, subject, e);
        }
        checkAppended(operation, subject, appended);
    }

    /** One operation's audit event, for {@link #record} or a caller that appends it itself. */
    public static EventData event(String operation, String detail, Instant startedAt, String result,
                                  Map<String, String> figures) {
        OperationRecorded op = OperationRecorded.newBuilder()
                .setOperation(operation)
                .setUser(System.getProperty("user.name", ""))
                .setHost(host())
                .setDetail(detail)
                .setResult(result)
                .setStartedAt(ChronoUnit.MICROS.between(Instant.EPOCH, startedAt))
                .putAllFigures(figures)
                .build();
        return EventData.protobuf("ops." + operation, op.toByteArray());
    }

    /**
     * Waits for the audit event a caller appended itself ({@link #event}) to be durable, failing as
     * {@link #record} does when it was not written.
     */
    public static void confirm(String operation, String subject, CompletableFuture<AppendResult> appended) {
        AppendResult result;
        try {
            result = appended.join();
        } catch (CompletionException e) {
            throw notWritten(operation, subject, e.getCause() instanceof RuntimeException r ? r : e);
        } catch (RuntimeException e) {
            throw notWritten(operation, subject, e);
        }
        checkAppended(operation, subject, result);
    }

    private static LedgerException notWritten(String operation, String subject, RuntimeException e) {
        return new LedgerException("the audit event of " + operation + " of " + subject + " could not be written: "
                + e.getMessage() + "; the operation is not confirmed", e);
    }

    private static void checkAppended(String operation, String subject, AppendResult appended) {
        if (!(appended instanceof AppendResult.Appended)) {
            throw new LedgerException("the audit event of " + operation + " of " + subject + " was refused: " + appended);
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
