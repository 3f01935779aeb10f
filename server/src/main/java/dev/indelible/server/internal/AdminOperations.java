package dev.indelible.server.internal;

import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerPartitions;
import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.Operations;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.VerifyReport;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.projections.ProjectionException;
import dev.indelible.projections.ProjectionVersions;
import dev.indelible.projections.RebuildInProgressException;
import dev.indelible.projections.RebuildResult;
import dev.indelible.projections.RollbackResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * What the console does to the data, each journaled as an {@code ops.*} event naming the token that
 * asked: verifying the journal ({@code ops.verify} on {@code ops-journal}), rebuilding a projection
 * ({@code ops.replay}) and rolling it back ({@code ops.rollback}) through the running engine, which
 * builds the new version beside the live one so queries go on. The two long ones stream their
 * progress ({@link OperationProgress}). One verify runs at a time; the engine's rebuild lock keeps
 * rebuilds and rollbacks of one projection apart. Thread-safe.
 */
final class AdminOperations {
    /** An operation that runs while its answer streams. */
    interface Streamed {
        void run(OperationProgress progress);
    }

    /** Operations on a projection its page lists. */
    static final int HISTORY = 20;

    private final LedgerPartitions partitions;
    /** Partition 0's: it holds the audit trail. */
    private final Ledger ledger;
    private final ProjectionEngine engine;
    private final AtomicBoolean verifying = new AtomicBoolean();

    AdminOperations(LedgerPartitions partitions, ProjectionEngine engine) {
        this.partitions = partitions;
        this.ledger = partitions.auditLedger();
        this.engine = engine;
    }

    /** Claims the one verify slot now (409 when a verify runs), and returns the verify to stream. */
    Streamed verify(Map<String, String> audit) {
        if (!verifying.compareAndSet(false, true)) {
            throw new ApiError(409, "conflict", "verify", "a verify of the journal is already running; wait for it");
        }
        return progress -> {
            try {
                long head = partitions.events();
                Instant started = Instant.now();
                VerifyReport report = partitions.verifyAll(checked -> progress.progress("{\"checked\":" + checked
                    + ",\"of\":" + Math.max(head, checked) + "}"));
                Map<String, String> figures = new HashMap<>(audit);
                figures.put("events", Long.toString(report.eventsChecked()));
                figures.put("records", Long.toString(report.records()));
                figures.put("problems", Integer.toString(report.problems().size()));
                recorded(progress, () -> {
                    Operations.record(ledger, "verify", "journal", "verify of the journal", started,
                        report.ok() ? "ok" : "damaged", figures);
                    return verifyJson(report, Instant.now().toEpochMilli() - started.toEpochMilli());
                });
            } finally {
                verifying.set(false);
            }
        };
    }

    /**
     * Erases a data subject ({@link dev.indelible.ledger.PersonalData#erase}): its {@code ops.erase}
     * names the token. 400 without a subject, 404 for a subject that has no key (nothing of it sealed).
     * The HTTP and gRPC APIs both call it.
     *
     * @return false when the subject had been erased before
     */
    boolean erase(String subject, Map<String, String> audit) {
        if (subject == null || subject.isBlank()) {
            throw new ApiError(400, "invalid_argument", "subject", "is required, e.g. ?subject=account-<account_id>");
        }
        var personal = ledger.personalData();
        if (!personal.hasKey(subject) && !personal.isErased(subject)) {
            throw ApiError.notFound("subject", subject + " has no key: nothing of it was sealed (check the id)");
        }
        return answered(() -> personal.erase(subject, "erase of " + subject, audit));
    }

    /** Damage first: the problems, then what was checked. */
    private static String verifyJson(VerifyReport report, long tookMillis) {
        return EventJson.object(g -> {
            g.writeBooleanField("ok", report.ok());
            g.writeArrayFieldStart("problems");
            for (VerifyReport.Problem p : report.problems()) {
                g.writeStartObject();
                g.writeStringField("kind", p.kind().name());
                g.writeNumberField("global_seq", p.globalSeq());
                g.writeStringField("location", p.location());
                g.writeStringField("detail", p.detail());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeNumberField("events", report.eventsChecked());
            g.writeNumberField("records", report.records());
            g.writeNumberField("took_ms", tookMillis);
        });
    }

    /** Checks the projection exists (404 otherwise) and returns its rebuild to stream. */
    Streamed rebuild(String projection, Map<String, String> audit) {
        status(projection);
        return progress -> recorded(progress, () -> {
            RebuildResult r = engine.rebuild(projection, (position, target) -> progress.progress("{\"position\":"
                + position + ",\"of\":" + target + "}"), audit);
            return ProjectionResults.rebuild(r);
        });
    }

    String rollback(String projection, Map<String, String> audit) {
        status(projection);
        return ProjectionResults.rollback(answered(() -> engine.rollback(projection, audit)));
    }

    /** Its versions on disk (what a rollback goes back to) and its quarantine. */
    String versions(String projection) {
        status(projection);
        ProjectionVersions v = answered(() -> engine.versions(projection));
        return EventJson.object(g -> {
            g.writeStringField("projection", v.projection());
            g.writeStringField("live", v.live());
            g.writeArrayFieldStart("versions");
            for (ProjectionVersions.Version version : v.versions()) {
                g.writeStartObject();
                g.writeStringField("name", version.name());
                g.writeBooleanField("live", version.live());
                g.writeStringField("build", version.build().name());
                g.writeNumberField("checkpoint", version.checkpoint());
                g.writeNumberField("applied", version.applied());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("quarantined");
            for (ProjectionVersions.Quarantined q : v.quarantined()) {
                g.writeStartObject();
                g.writeStringField("name", q.name());
                g.writeNumberField("files", q.files());
                g.writeNumberField("bytes", q.bytes());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("history");
            for (RecordedEvent e : history(projection)) {
                g.writeRawValue(EventJson.line(e, ledger.personalData()));
            }
            g.writeEndArray();
        });
    }

    /** The last {@link #HISTORY} operations on it (rebuilds, rollbacks, quarantines), newest first, from its ops stream's index. */
    private List<RecordedEvent> history(String projection) {
        String stream = "ops-projection-" + projection;
        long last = ledger.streamVersion(stream);
        if (last == ExpectedVersion.NO_STREAM) {
            return List.of();
        }
        List<RecordedEvent> events = new ArrayList<>(ledger.readStream(stream, Math.max(0, last - HISTORY + 1), HISTORY));
        Collections.reverse(events);
        return events;
    }

    private void status(String projection) {
        if (engine == null) {
            throw ApiError.unavailable("this server runs no projections (--no-projections)");
        }
        if (engine.status().stream().noneMatch(p -> p.name().equals(projection))) {
            throw ApiError.notFound("projection", "no projection named " + projection);
        }
    }

    /**
     * The engine's refusals as answers: 409 for a rebuild already running or nothing to roll back to;
     * 503 when the audit event cannot be written (a full disk), which fails the operation.
     */
    private static <T> T answered(Supplier<T> operation) {
        try {
            return operation.get();
        } catch (RebuildInProgressException e) {
            throw new ApiError(409, "conflict", "projection", e.getMessage());
        } catch (ProjectionException e) {
            throw new ApiError(409, "failed_precondition", "projection", e.getMessage());
        } catch (LedgerException e) {
            throw ApiError.unavailable(e.getMessage());
        }
    }

    /** Runs {@code operation}, sending its result, or its refusal as an {@code event: error}. */
    private static void recorded(OperationProgress progress, Supplier<String> operation) {
        try {
            progress.result(answered(operation));
        } catch (ApiError e) {
            progress.error(e);
        } catch (RuntimeException e) {
            progress.error(new ApiError(500, "internal", null, "the operation failed: " + e));
        }
    }
}
