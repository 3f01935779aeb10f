package dev.indelible.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/** The benchmark issue's targets, each computed from one run's scores. */
final class Rows {
    record Row(String target, String measured, String goal, String met) {
    }

    /**
     * Keys in the selfies state rebuilt from the 1,000,000-event mixed journal (deterministic):
     * 400,915 selfie rows, 5,000 per-user counters and the total, counted from the journal.
     */
    private static final long SELFIES_KEYS_AT_1M = 405_916;

    private final Summary s;
    private final List<Row> rows = new ArrayList<>();

    Rows(Summary s) {
        this.s = s;
    }

    /** How the append pair's scores at {@code threads} were taken, when run.sh ran it more than once. */
    private String medianOf(int threads) {
        int runs = s.runs("rawChronicleAppend", threads);
        return runs > 1 ? " (each the median of " + runs + " alternated runs)" : "";
    }

    List<Row> all() {
        OptionalDouble append1 = s.score("indelibleAppend", 1, "durability=MEMORY_MAPPED", "batch=1");
        OptionalDouble append4 = s.score("indelibleAppend", 4, "durability=MEMORY_MAPPED", "batch=1");
        OptionalDouble putSync4 = s.score("rocksdbPutSync", 4);
        ratio("indelibleAppend / rawChronicleAppend, 1 thread" + medianOf(1), append1, s.score("rawChronicleAppend", 1), 0.5);
        ratio("indelibleAppend / rawChronicleAppend, 4 threads" + medianOf(4), append4, s.score("rawChronicleAppend", 4), 0.8);
        // rawChronicleAppend writes the 128-byte payload alone; the ledger's record of it is larger.
        ratio("indelibleAppend / rawChronicleAppendLedgerSized (raw records as long as the ledger's), 1 thread"
            + " (no goal: how much of the distance is bytes)", append1, s.score("rawChronicleAppendLedgerSized", 1),
            Double.NaN);
        ratio("indelibleAppend / rawChronicleAppendLedgerSized, 4 threads" + medianOf(4) + " (no goal: the same at 4)",
            append4, s.score("rawChronicleAppendLedgerSized", 4), Double.NaN);
        ratio("indelibleAppend / sqliteAutocommit", append1, s.score("sqliteAutocommit", 1), 10);
        ratio("indelibleAppend / postgresInsert (synchronous_commit on)", append1,
            s.score("postgresInsert", 1, "synchronousCommit=on"), 150);
        ratio("indelibleAppend / jsonReadModifyWrite (10,000 records)", append1,
            s.score("jsonReadModifyWrite", 1, "records=10000"), 1_000);
        ratio("2-part transaction of 2 events / append of 2 events to one stream, events/s, 1 thread",
            s.score("twoPartTransaction", 1), s.score("twoEventAppend", 1), 0.8);
        for (int t : new int[] {1, 4}) {
            OptionalDouble async = s.score("indelibleAppendAsync", t, "inFlight=1024");
            absolute("indelibleAppendAsync, group commit, 1,024 in flight, " + t + " thread(s)", async, "appends/s",
                200_000, true);
        }
        ratio("indelibleAppendAsync (4 threads, 1,024) / rocksdbPutSync (4 threads)",
            s.score("indelibleAppendAsync", 4, "inFlight=1024"), putSync4, 20);
        ratio("indelibleAppend SYNC (4 threads) / rocksdbPutSync (4 threads)",
            s.score("indelibleAppend", 4, "durability=SYNC", "batch=1"), putSync4, 1);
        OptionalDouble p99 = s.percentile("appendLatency", 1, "99.0", "system=ledger-default");
        absolute("append p99 latency, default policy, 1 thread", p99, "us", 10, false);
        ratio("append p99 / raw Chronicle p99, 1 thread (at most)", p99,
            s.percentile("appendLatency", 1, "99.0", "system=chronicle"), -2);
        // The 2x goal is out of reach while the ledger's median alone is further off than that.
        ratio("append p50 / raw Chronicle p99, 1 thread (no goal: the p99 ratio's floor)",
            s.percentile("appendLatency", 1, "50.0", "system=ledger-default"),
            s.percentile("appendLatency", 1, "99.0", "system=chronicle"), Double.NaN);
        OptionalDouble decodeMillis = s.score("replayDecode", 1, "events=1000000");
        perSecond("replayDecode, 1,000,000 events", decodeMillis, 1_000_000, 3_000_000);
        perSecond("rebuildAll, 1,000,000 events", s.score("rebuildAll", 1, "events=1000000"), 1_000_000, 300_000);
        OptionalDouble selfiesMillis = s.score("rebuildSelfies", 1, "events=1000000");
        perSecond("rebuildSelfies, 1,000,000 events", selfiesMillis, 1_000_000, 0);
        OptionalDouble bulkBatches = s.score("rocksdbBatchNoWal", 1);
        OptionalDouble bulkKeys = bulkBatches.isEmpty() ? bulkBatches
            : OptionalDouble.of(bulkBatches.getAsDouble() * RocksDbBenchmark.BATCH_KEYS);
        ratio("rebuildSelfies keys/s / rocksdbBatchNoWal keys/s (" + String.format("%,d", SELFIES_KEYS_AT_1M)
                + " keys rebuilt from 1,000,000 events)", selfiesKeysPerSecond(selfiesMillis), bulkKeys, 0.75);
        // A rebuild reads every event: replayDecode alone, writing nothing, caps the ratio above.
        ratio("replayDecode at the rebuild's keys per event / rocksdbBatchNoWal keys/s (no goal: the ratio's ceiling)",
            selfiesKeysPerSecond(decodeMillis), bulkKeys, Double.NaN);
        for (String method : new String[] {"rebuildAll", "rebuildSelfies"}) {
            ratio(method + ": 4,000,000 / 1,000,000 events, time (at most)", s.score(method, 1, "events=4000000"),
                s.score(method, 1, "events=1000000"), -4.5);
        }
        absolute("reopen 10,000,000 events + first append", s.score("reopen", 1, "events=10000000"), "ms", 1_000, false);
        OptionalDouble allocated = s.secondary("indelibleAppend", 1, "gc.alloc.rate.norm", "durability=MEMORY_MAPPED",
            "batch=1");
        OptionalDouble callers = s.secondary("callerEvent", 1, "gc.alloc.rate.norm", "durability=MEMORY_MAPPED", "batch=1");
        OptionalDouble receipted = s.secondary("indelibleAppendReceipt", 1, "gc.alloc.rate.norm",
            "durability=MEMORY_MAPPED", "batch=1");
        absolute("bytes allocated per append, caller's event included (no goal)", allocated, "B/op", Double.NaN, false);
        absolute("bytes allocated per append beyond the caller's event, returning an AppendResult (no goal)",
            difference(allocated, callers), "B/op", Double.NaN, false);
        // -prof gc counts every thread: its figure also holds the ledger's background threads
        // (checkpoints, the id table's growth) and JMH's own. The target is what the caller's thread pays.
        OptionalDouble beyond = difference(s.threadBytesPerCall("indelibleAppendReceipt", true, "durability=MEMORY_MAPPED",
            "batch=1"), s.threadBytesPerCall("callerEvent", true, "durability=MEMORY_MAPPED", "batch=1"));
        absolute("bytes the appending thread allocates per append beyond the caller's event, filling an AppendReceipt, "
                + "in whole bytes (default policy, batch 1)",
            beyond.isEmpty() ? beyond : OptionalDouble.of(Math.max(0, Math.round(beyond.getAsDouble()))), "B/op", 0, false);
        absolute("the same, as measured, per 1,000 appends (no goal)", thousandfold(beyond), "B", Double.NaN, false);
        absolute("raw Chronicle's appending thread, per 1,000 appends (no goal: the journal's own share)",
            thousandfold(s.threadBytesPerCall("rawChronicleAppend", false)), "B", Double.NaN, false);
        absolute("bytes allocated per append beyond the caller's event, filling an AppendReceipt, by every thread "
            + "(-prof gc; no goal: background threads included)", difference(receipted, callers), "B/op", Double.NaN, false);
        OptionalDouble completion = s.groupPercentile("asyncCompletion", 4, "asyncCompletionLatency", "99.0");
        absolute("appendAsync p99 completion latency, group commit, 3 producers x 1,024 in flight",
            completion.isPresent() ? OptionalDouble.of(completion.getAsDouble() / 1000) : completion, "ms", 5, false);
        OptionalDouble embedded8 = s.score("serverAppend", 8, "transport=embedded");
        for (String transport : new String[] {"http", "grpc"}) {
            ratio("serverAppend " + transport + " / embedded, 8 producers (no goal)", s.score("serverAppend", 8,
                "transport=" + transport), embedded8, Double.NaN);
        }
        for (String transport : new String[] {"http", "grpc"}) {
            ratio("serverAppend / serverTrivial (" + (transport.equals("http") ? "GET /health/live" : "gRPC health Check")
                    + "), " + transport + ", 8 producers", s.score("serverAppend", 8, "transport=" + transport),
                s.score("serverTrivial", 8, "transport=" + transport), 0.5);
        }
        ratio("serverAppendAsync grpc (Java client over AppendStream) / embedded appendAsync, 8 producers",
            s.score("serverAppendAsync", 8, "transport=grpc"), s.score("serverAppendAsync", 8, "transport=embedded"), 0.5);
        clientRows();
        return rows;
    }

    /** benchmarks/clients.sh: the clients against `indelible serve`, each beside its baseline of the same run. */
    private void clientRows() {
        Clients c = s.clients;
        ratio("Python producer, 4 threads, default policy / Python sqlite3 autocommit (WAL, synchronous=NORMAL, "
            + "the faster of 1 and 4 threads)", c.perSecond("python-producer"),
            c.best("sqlite-NORMAL-1t", "sqlite-NORMAL-4t"), 3);
        ratio("Python producer, 4 threads, serve --durability SYNC / Python sqlite3 autocommit (WAL, synchronous=FULL, "
            + "the faster of 1 and 4 threads)", c.perSecond("python-producer-sync"),
            c.best("sqlite-FULL-1t", "sqlite-FULL-4t"), 10);
        // Both goals above are beyond CPython itself where this is under them (bench.py ceiling says how it is measured).
        ratio("CPython's own work per appended event, no I/O (event dict, JSON, Future, NDJSON line), one interpreter, "
            + "as a rate / Python sqlite3 autocommit (WAL, synchronous=NORMAL) (no goal: any Python producer stays under it)",
            c.perSecond("python-ceiling"), c.best("sqlite-NORMAL-1t", "sqlite-NORMAL-4t"), Double.NaN);
        ratio("CPython's own work per appended event, as above / Python sqlite3 autocommit (WAL, synchronous=FULL) "
            + "(no goal: any Python producer under SYNC stays under it)", c.perSecond("python-ceiling"),
            c.best("sqlite-FULL-1t", "sqlite-FULL-4t"), Double.NaN);
        ratio("Node producer, 4 async workers / Python producer, 4 threads (default policy)",
            c.perSecond("node-producer"), c.perSecond("python-producer"), 1);
        String events = c.get("curl-append", "events").isPresent()
            ? String.format("%,.0f", c.get("curl-append", "events").getAsDouble()) : "the";
        ratio("curl --data-binary of " + events + " events to POST /append / indelible append --ndjson of the same file",
            c.perSecond("curl-append"), c.perSecond("cli-append"), 0.5);
        heapRows(c);
        ratio("Python subscribe catching up on " + events + " events / indelible read > /dev/null",
            c.perSecond("python-subscribe"), c.perSecond("cli-read"), 0.5);
    }

    /**
     * The server's heap through that upload (-Xmx1g, GC log and jcmd). After a GC the heap holds what the
     * server keeps: at most 4,096 lines wait for their sync, so that stays flat whatever the body's size,
     * while a server holding the body would keep all of it (212 MiB for 1,000,000 selfies). The attack
     * tests find an idle server at 24-28 MB after GC; 64 MiB leaves room for the lines in flight.
     */
    private void heapRows(Clients c) {
        OptionalDouble used = c.get("serve-heap", "max_used_mib");
        OptionalDouble afterGc = c.get("serve-heap", "max_after_gc_mib");
        OptionalDouble first = c.get("serve-heap", "first_after_gc_mib");
        OptionalDouble body = c.get("serve-heap", "body_mib");
        OptionalDouble gcs = c.get("serve-heap", "gcs");
        rows.add(new Row("serve heap during that upload, most used (before a GC, or sampled before and after; -Xmx1g) "
            + "(no goal: young garbage)", used.isEmpty() ? "not run" : String.format("%,.0f MiB", used.getAsDouble()), "-", "-"));
        if (afterGc.isEmpty()) {
            rows.add(new Row("serve heap after each GC during that upload, largest", "not run", "<= 64 MiB", "?"));
            return;
        }
        double v = afterGc.getAsDouble();
        rows.add(new Row("serve heap after each GC during that upload, largest",
            String.format("%,.0f MiB (first GC %,.0f MiB; %,.0f GCs; body %,.0f MiB)", v, first.orElse(Double.NaN),
                gcs.orElse(0), body.orElse(Double.NaN)), "<= 64 MiB", v <= 64 ? "yes" : "**no**"));
    }

    /** {@code goal} > 0: at least; < 0: at most its absolute value; NaN: no goal, only the figure. */
    private void ratio(String target, OptionalDouble a, OptionalDouble b, double goal) {
        if (Double.isNaN(goal)) {
            rows.add(new Row(target, a.isEmpty() || b.isEmpty() ? "not run"
                : String.format("%,.4fx", a.getAsDouble() / b.getAsDouble()), "-", "-"));
            return;
        }
        if (a.isEmpty() || b.isEmpty()) {
            rows.add(new Row(target, "not run", (goal > 0 ? ">= " : "<= ") + Math.abs(goal) + "x", "?"));
            return;
        }
        double r = a.getAsDouble() / b.getAsDouble();
        boolean met = goal > 0 ? r >= goal : r <= -goal;
        rows.add(new Row(target, String.format("%,.2fx", r), (goal > 0 ? ">= " : "<= ") + Math.abs(goal) + "x", met ? "yes" : "**no**"));
    }

    /** The selfies rebuild's keys per second, had it taken {@code millis} for its 1,000,000 events. */
    private static OptionalDouble selfiesKeysPerSecond(OptionalDouble millis) {
        return millis.isEmpty() ? millis : OptionalDouble.of(SELFIES_KEYS_AT_1M / (millis.getAsDouble() / 1000));
    }

    private static OptionalDouble thousandfold(OptionalDouble a) {
        return a.isEmpty() ? a : OptionalDouble.of(a.getAsDouble() * 1000);
    }

    private static OptionalDouble difference(OptionalDouble a, OptionalDouble b) {
        return a.isEmpty() || b.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(a.getAsDouble() - b.getAsDouble());
    }

    /** {@code goal} NaN: no goal, only the figure. */
    private void absolute(String target, OptionalDouble value, String unit, double goal, boolean atLeast) {
        if (value.isEmpty()) {
            rows.add(Double.isNaN(goal) ? new Row(target, "not run", "-", "-")
                : new Row(target, "not run", (atLeast ? ">= " : "<= ") + goal + " " + unit, "?"));
            return;
        }
        double v = value.getAsDouble();
        if (Double.isNaN(goal)) {
            rows.add(new Row(target, String.format("%,.1f %s", v, unit), "-", "-"));
            return;
        }
        boolean met = atLeast ? v >= goal : v <= goal;
        rows.add(new Row(target, String.format("%,.1f %s", v, unit), String.format((atLeast ? ">= " : "<= ") + "%,.0f %s", goal, unit),
            met ? "yes" : "**no**"));
    }

    /** A single-shot time in ms for {@code events}, shown as events/s. */
    private void perSecond(String target, OptionalDouble millis, long events, double goal) {
        if (millis.isEmpty()) {
            rows.add(new Row(target, "not run", goal > 0 ? String.format(">= %,.0f events/s", goal) : "-", "?"));
            return;
        }
        double rate = events / (millis.getAsDouble() / 1000.0);
        rows.add(new Row(target, String.format("%,.0f events/s", rate), goal > 0 ? String.format(">= %,.0f events/s", goal) : "-",
            goal <= 0 ? "-" : rate >= goal ? "yes" : "**no**"));
    }
}
