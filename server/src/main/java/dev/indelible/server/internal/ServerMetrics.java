package dev.indelible.server.internal;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerPartitions;
import dev.indelible.ledger.TransactionResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What {@code GET /metrics} exposes, in Prometheus text through Micrometer. Thread-safe. */
public final class ServerMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // Counted per append: held, not looked up in the registry each time.
    private final Counter appends = appends("appended");
    private final Counter duplicates = appends("duplicate");
    private final Counter wrongExpectedVersions = appends("wrong_expected_version");
    private final Counter ruleViolations = appends("rule_violated");
    private final Counter eventIdConflicts = appends("event_id_conflict");

    public ServerMetrics(LedgerPartitions partitions) {
        Gauge.builder("indelible.ledger.head", partitions, LedgerPartitions::events)
            .description("global_seq the next event will get (over several partitions: the events in all)").register(registry);
        FunctionCounter.builder("indelible.ledger.events.appended", partitions,
                p -> sum(p, l -> l.metrics().eventsAppended()))
            .description("events appended by this process").register(registry);
        FunctionCounter.builder("indelible.ledger.syncs", partitions, ServerMetrics::syncs)
            .description("journal syncs (group commits)").register(registry);
    }

    /** This process's journal syncs (commits), over every partition. */
    static long syncs(LedgerPartitions partitions) {
        return sum(partitions, l -> l.metrics().syncs());
    }

    private static long sum(LedgerPartitions partitions, java.util.function.ToLongFunction<Ledger> each) {
        long sum = 0;
        for (Ledger ledger : partitions.ledgers()) {
            sum += each.applyAsLong(ledger);
        }
        return sum;
    }

    void request(String route, int status, long nanos) {
        Timer.builder("indelible.http.requests").tag("route", route).tag("status", Integer.toString(status))
            .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    void appended(AppendResult result) {
        (result instanceof AppendResult.Appended a ? (a.duplicate() ? duplicates : appends)
            : result instanceof AppendResult.WrongExpectedVersion ? wrongExpectedVersions
            : result instanceof AppendResult.RuleViolated ? ruleViolations : eventIdConflicts).increment();
    }

    private Counter appends(String result) {
        return Counter.builder("indelible.http.appends").tag("result", result).register(registry);
    }

    void committed(TransactionResult result) {
        String outcome = result instanceof TransactionResult.Committed c ? (c.duplicate() ? "duplicate" : "committed")
            : result instanceof TransactionResult.PartRefused ? "part_refused" : "condition_failed";
        Counter.builder("indelible.http.transactions").tag("result", outcome).register(registry).increment();
    }

    /**
     * Appends and transactions answered so far (over HTTP and gRPC), by result.
     *
     * @param ok        written
     * @param duplicate answered from the idempotency index: a retry of one already written
     * @param refused   an expected outcome that wrote nothing: a wrong expected version, a rule, an id conflict
     */
    record AppendsByResult(long ok, long duplicate, long refused) {
    }

    AppendsByResult appendsByResult() {
        long ok = 0;
        long duplicate = 0;
        long refused = 0;
        for (String name : List.of("indelible.http.appends", "indelible.http.transactions")) {
            for (Counter c : registry.find(name).counters()) {
                long n = (long) c.count();
                switch (c.getId().getTag("result")) {
                    case "appended", "committed" -> ok += n;
                    case "duplicate" -> duplicate += n;
                    default -> refused += n;
                }
            }
        }
        return new AppendsByResult(ok, duplicate, refused);
    }

    void authFailure(String reason) {
        Counter.builder("indelible.http.auth.failures").tag("reason", reason).register(registry).increment();
    }

    String scrape() {
        return registry.scrape();
    }
}
