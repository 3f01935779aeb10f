"""The Python side of benchmarks/clients.sh. Each command prints one JSON line:
{"name", "events", "seconds", "per_second", ...}; clients.sh collects them in clients.jsonl.

  bench.py producer  NAME URL TOKEN EVENTS THREADS   Client.producer(), THREADS threads sharing it
  bench.py sqlite    NAME DB EVENTS THREADS SYNC     sqlite3 autocommit inserts, WAL, synchronous=SYNC
  bench.py subscribe NAME URL TOKEN EVENTS           Client.subscribe() from 0 until EVENTS selfies
  bench.py ceiling   NAME EVENTS                     CPython's own work per appended event, no I/O, as a rate
  bench.py ndjson    FILE EVENTS                     writes the NDJSON that POST /append and the CLI take
  bench.py gclog     NAME GC_LOG FROM TO USED_BEFORE_K USED_AFTER_K BODY_BYTES
                                                    the server's heap over lines FROM..TO of its GC log

Every workload writes the same event: selfie.submitted with the data Selfies.event builds.
"""
import json
import os
import re
import sqlite3
import sys
import threading
import time

import indelible

SUBMITTED_AT = "2026-12-02T12:00:00Z"
USERS_PER_THREAD = 1000


def selfie(thread, i, tag):
    """The i-th selfie of a thread: its stream and event dict (derived id, as the client makes it)."""
    user = thread * USERS_PER_THREAD + i % USERS_PER_THREAD + 1
    return indelible.Selfies.stream(user), indelible.Selfies.event(user, "photo", f"{tag}-IMG_{i}.jpg", SUBMITTED_AT)


def timed_threads(threads, work, after=lambda: None):
    """Seconds for work(0..threads-1) on as many threads, then after(), from the first start."""
    started = time.perf_counter()
    workers = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    after()
    return time.perf_counter() - started


def report(name, events, seconds, **extra):
    print(json.dumps({"name": name, "events": events, "seconds": round(seconds, 4),
                      "per_second": round(events / seconds, 1), **extra}), flush=True)


def producer(name, url, token, events, threads):
    events, threads = int(events), int(threads)
    client = indelible.Client(url, token)

    def run(tag, count):
        per_thread = count // threads
        futures = [[] for _ in range(threads)]
        with client.producer(linger_ms=5, max_batch=1000) as p:
            def work(t):
                futures[t] = [p.append(*selfie(t, i, tag)) for i in range(per_thread)]

            seconds = timed_threads(threads, work, after=p.flush)
        failed = sum(1 for fs in futures for f in fs if f.exception() is not None)
        if failed:
            raise SystemExit(f"{name}: {failed} of {per_thread * threads} appends failed, e.g. "
                             f"{next(f.exception() for fs in futures for f in fs if f.exception())!r}")
        return per_thread * threads, seconds, p.stats

    # The server's JIT warms up on a tenth first (other ids), as JMH warms up every system.
    run(f"{name}-{os.getpid()}-warmup", max(events // 10, threads))
    count, seconds, stats = run(f"{name}-{os.getpid()}", events)
    client.close()
    report(name, count, seconds, threads=threads, requests=stats.requests, retries=stats.retries)


def ceiling(name, events):
    """What one interpreter can append at most, whatever the server: the producer workload's own
    per-event work with no I/O at all (the selfie dict, the producer's queued item with its JSON
    and Future, its NDJSON line, the Future resolved), in one thread, CPU time. CPython runs one
    thread's bytecode at a time, so 4 threads share this rate; a producer's real rate is below it.
    The futures are held until the end, as the producer workload holds them."""
    from indelible.producer import _Item  # the producer's own per-append object, as append() builds it
    events = int(events)
    started = time.process_time()
    items = [_Item(*selfie(0, i, name), "any") for i in range(events)]
    body = "".join([item.line() for item in items])
    for item in items:
        item.future.set_result(None)
    seconds = time.process_time() - started
    report(name, events, seconds, cpu_us_per_event=round(seconds / events * 1e6, 2), body_bytes=len(body))


def sqlite(name, db, events, threads, sync):
    """SQLite's autocommit insert: one row per transaction, so one WAL commit per event.

    SQLite lets one writer in at a time: with several threads the others wait on the database
    lock (its busy handler sleeps), so more threads may well be slower. clients.sh runs 1 and 4
    threads and compares with the faster, so the baseline is SQLite at its best, not at a
    setting chosen to lose."""
    events, threads = int(events), int(threads)
    if os.path.exists(db):
        raise SystemExit(f"{db}: exists; the baseline starts from an empty database")
    setup = sqlite3.connect(db)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, stream TEXT, type TEXT, data TEXT)")
    setup.close()
    per_thread = events // threads
    # Built before the clock starts (the producer builds its events inside it): the baseline's better deal.
    rows = [[(s, e["type"], json.dumps(e["data"], separators=(",", ":")))
             for s, e in (selfie(t, i, name) for i in range(per_thread))] for t in range(threads)]
    errors = []

    def work(t):
        try:
            # isolation_level=None: autocommit, each INSERT its own transaction.
            c = sqlite3.connect(db, isolation_level=None, timeout=60, check_same_thread=False)
            c.execute(f"PRAGMA synchronous={sync}")
            for row in rows[t]:
                c.execute("INSERT INTO events (stream, type, data) VALUES (?, ?, ?)", row)
            c.close()
        except Exception as e:  # noqa: BLE001 - reported, the run fails
            errors.append(e)

    seconds = timed_threads(threads, work)
    if errors:
        raise SystemExit(f"{name}: {errors[0]!r}")
    stored = sqlite3.connect(db).execute("SELECT count(*) FROM events").fetchone()[0]
    if stored != per_thread * threads:
        raise SystemExit(f"{name}: {stored} rows stored, {per_thread * threads} inserted")
    report(name, stored, seconds, threads=threads, synchronous=sync)


def subscribe(name, url, token, events):
    """Catches up from 0 until EVENTS selfie.submitted events were seen (the journal's ops events
    are read too, as `indelible read` reads them)."""
    events = int(events)
    client = indelible.Client(url, token)
    seen = 0
    started = time.perf_counter()
    subscription = client.subscribe(from_seq=0)
    for e in subscription:
        if e.type == "selfie.submitted":
            seen += 1
            if seen == events:
                break
    seconds = time.perf_counter() - started
    subscription.close()
    client.close()
    report(name, seen, seconds)


def ndjson(path, events):
    """One append per line, spread over 4,000 streams, as a producer of 4 threads would send them."""
    events = int(events)
    with open(path, "w") as f:
        for i in range(events):
            stream, e = selfie(i % 4, i // 4, "ndjson")
            f.write(json.dumps({"stream": stream, "type": e["type"], "event_id": e["event_id"], "data": e["data"]},
                               separators=(",", ":")) + "\n")


_GC = re.compile(r"Pause Young.* (\d+)([KMG])->(\d+)([KMG])\((\d+)([KMG])\)")
_MIB = {"K": 1 / 1024, "M": 1, "G": 1024}


def gclog(name, path, first, last, used_before_k, used_after_k, body_bytes):
    """Every young GC in the window gives the heap used just before it (the saw's teeth) and after
    it (what the server still holds: flat if nothing grows with the body); jcmd's samples before
    and after the upload add the ends. -Xlog:gc writes one line per GC."""
    with open(path) as f:
        lines = f.readlines()[int(first):int(last)]
    before, after, size = [], [], 0.0
    for line in lines:
        m = _GC.search(line)
        if m:
            before.append(int(m.group(1)) * _MIB[m.group(2)])
            after.append(int(m.group(3)) * _MIB[m.group(4)])
            size = int(m.group(5)) * _MIB[m.group(6)]
    ends = [int(used_before_k) / 1024, int(used_after_k) / 1024]
    print(json.dumps({"name": name, "gcs": len(after), "max_used_mib": round(max(before + ends), 1),
                      "max_after_gc_mib": round(max(after), 1) if after else None,
                      "first_after_gc_mib": round(after[0], 1) if after else None,
                      "used_before_mib": round(ends[0], 1), "used_after_mib": round(ends[1], 1),
                      "heap_mib": round(size, 1), "body_mib": round(int(body_bytes) / 2**20, 1)}), flush=True)


if __name__ == "__main__":
    commands = {"producer": producer, "ceiling": ceiling, "sqlite": sqlite, "subscribe": subscribe, "ndjson": ndjson,
                "gclog": gclog}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        raise SystemExit(__doc__)
    commands[sys.argv[1]](*sys.argv[2:])
