package dev.indelible.server.internal;

import dev.indelible.ledger.DaemonThreads;
import dev.indelible.ledger.LedgerPartitions;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Per second over the last {@link #SECONDS} seconds, for the console's charts: events appended (the
 * journal's head: every append, this server's or another process's), this process's syncs, and the
 * appends and transactions this server answered by result ({@link ServerMetrics#appendsByResult}).
 * Sampled once a second by one daemon thread, so the charts have history the moment someone looks.
 * Thread-safe.
 */
final class ConsoleRate implements AutoCloseable {
    static final int SECONDS = 300;
    private static final int EVENTS = 0;
    private static final int SYNCS = 1;
    private static final int OK = 2;
    private static final int DUPLICATE = 3;
    private static final int REFUSED = 4;

    private final LedgerPartitions partitions;
    private final ServerMetrics metrics;
    /** totals[series][slot]: a ring of running totals, one slot a second. */
    private final long[][] totals = new long[5][SECONDS + 1];
    private final ScheduledExecutorService sampler;
    private int samples;
    private int next;

    ConsoleRate(LedgerPartitions partitions, ServerMetrics metrics) {
        this.partitions = partitions;
        this.metrics = metrics;
        this.sampler = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("indelible-console-rate"));
        sampler.scheduleAtFixedRate(this::sample, 0, 1, TimeUnit.SECONDS);
    }

    private synchronized void sample() {
        ServerMetrics.AppendsByResult appends = metrics.appendsByResult();
        try {
            totals[EVENTS][next] = partitions.events();
            totals[SYNCS][next] = ServerMetrics.syncs(partitions);
        } catch (RuntimeException closed) {
            return; // the ledger closed: the server is stopping
        }
        totals[OK][next] = appends.ok();
        totals[DUPLICATE][next] = appends.duplicate();
        totals[REFUSED][next] = appends.refused();
        next = (next + 1) % (SECONDS + 1);
        samples = Math.min(samples + 1, SECONDS + 1);
    }

    /**
     * Per second sampled, oldest first, at most {@link #SECONDS}: events appended, this process's
     * syncs, and appends (a request or a transaction, however many events) answered ok, as a
     * duplicate of an earlier one, or refused (a wrong expected version, a rule, a conflict).
     */
    record Rates(long[] events, long[] syncs, long[] appendsOk, long[] appendsDuplicate, long[] appendsRefused) {
    }

    synchronized Rates perSecond() {
        return new Rates(perSecond(EVENTS), perSecond(SYNCS), perSecond(OK), perSecond(DUPLICATE), perSecond(REFUSED));
    }

    private long[] perSecond(int series) {
        long[] ring = totals[series];
        long[] rates = new long[Math.max(0, samples - 1)];
        int first = (next - samples + ring.length) % ring.length;
        for (int i = 0; i < rates.length; i++) {
            rates[i] = ring[(first + i + 1) % ring.length] - ring[(first + i) % ring.length];
        }
        return rates;
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
