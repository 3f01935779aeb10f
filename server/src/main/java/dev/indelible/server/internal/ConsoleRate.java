package dev.indelible.server.internal;

import dev.indelible.ledger.DaemonThreads;
import dev.indelible.ledger.Ledger;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Events and syncs per second over the last {@link #SECONDS} seconds, for the console's chart: the
 * journal's head and this process's sync count sampled once a second by one daemon thread, so the
 * chart has history the moment someone looks. The head counts every append to the journal, this
 * server's or another process's. Thread-safe.
 */
final class ConsoleRate implements AutoCloseable {
    static final int SECONDS = 300;

    private final Ledger ledger;
    private final long[] heads = new long[SECONDS + 1];
    private final long[] syncs = new long[SECONDS + 1];
    private final ScheduledExecutorService sampler;
    private int samples;
    private int next;

    ConsoleRate(Ledger ledger) {
        this.ledger = ledger;
        this.sampler = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("indelible-console-rate"));
        sampler.scheduleAtFixedRate(this::sample, 0, 1, TimeUnit.SECONDS);
    }

    private synchronized void sample() {
        try {
            heads[next] = ledger.head();
            syncs[next] = ledger.metrics().syncs();
        } catch (RuntimeException closed) {
            return; // the ledger closed: the server is stopping
        }
        next = (next + 1) % heads.length;
        samples = Math.min(samples + 1, heads.length);
    }

    /** Per second sampled, oldest first, at most {@link #SECONDS}: events appended, and this process's syncs. */
    record Rates(long[] events, long[] syncs) {
    }

    synchronized Rates perSecond() {
        return new Rates(perSecond(heads), perSecond(syncs));
    }

    private long[] perSecond(long[] totals) {
        long[] rates = new long[Math.max(0, samples - 1)];
        int first = (next - samples + totals.length) % totals.length;
        for (int i = 0; i < rates.length; i++) {
            rates[i] = totals[(first + i + 1) % totals.length] - totals[(first + i) % totals.length];
        }
        return rates;
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
