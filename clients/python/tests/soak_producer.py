#!/usr/bin/env python3
"""Soak: one Producer appends COUNT selfies (derived event ids) from THREADS threads at about RATE
events/s while a Subscription follows them; meant to have the server stopped and started again
under it (PythonClientTest does). Prints "progress acked=N" as it goes, then one summary line:

  soak: acked=20000 of 20000 failed=0 duplicates=D retries=R subscriber=20000 repeated=0 reconnects=C ...

and exits 0 only when every selfie was acknowledged and seen by the subscriber exactly once.

  INDELIBLE_URL=http://127.0.0.1:7171 INDELIBLE_TOKEN=idl_... python3 soak_producer.py [--count 20000]
"""
import argparse
import os
import sys
import threading
import time

import indelible

NOW = "2024-05-01T12:00:00Z"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--rate", type=float, default=4000, help="events/s over all threads (0: no limit)")
    parser.add_argument("--user-base", type=int, default=770000000, help="users USER_BASE+1 .. USER_BASE+THREADS")
    parser.add_argument("--prefix", default="soak", help="file ids are PREFIX-THREAD-N")
    parser.add_argument("--wait", type=float, default=120, help="seconds to wait for the last acks and events")
    args = parser.parse_args()
    url = os.environ.get("INDELIBLE_URL") or sys.exit("set INDELIBLE_URL")
    token = os.environ.get("INDELIBLE_TOKEN") or sys.exit("set INDELIBLE_TOKEN")

    # A restart takes a few seconds: give the retries a minute before an append is given up.
    client = indelible.Client(url, token, timeout=10, max_attempts=100, retry_seconds=60)
    users = [args.user_base + 1 + t for t in range(args.threads)]
    streams = {indelible.Selfies.stream(u) for u in users}

    seen = {}
    repeated = []
    start_seq = client.read(0, 1).head
    subscription = client.subscribe(from_seq=start_seq, stream_prefix="selfies-user-", poll_interval=0.05)

    def follow() -> None:
        for event in subscription:
            if event.stream not in streams or not event.data["file_id"].startswith(args.prefix + "-"):
                continue
            if event.event_id in seen:
                repeated.append(event.global_seq)
            seen[event.event_id] = event.global_seq
            if len(seen) >= args.count:
                return

    follower = threading.Thread(target=follow, daemon=True)
    follower.start()

    per_thread = args.count // args.threads
    futures = [[] for _ in range(args.threads)]
    began = time.monotonic()
    producer = client.producer(linger_ms=5, max_batch=1000)

    def work(t: int) -> None:
        user = users[t]
        interval = args.threads / args.rate if args.rate > 0 else 0
        for i in range(per_thread):
            if interval:
                delay = began + i * interval - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            event = indelible.Selfies.event(user, "photo", f"{args.prefix}-{t}-{i}", NOW)
            futures[t].append(producer.append(indelible.Selfies.stream(user), event))

    workers = [threading.Thread(target=work, args=(t,)) for t in range(args.threads)]
    for w in workers:
        w.start()
    reported = 0
    total = per_thread * args.threads
    while any(w.is_alive() for w in workers) or producer.stats.acked + producer.stats.failed < total:
        acked = producer.stats.acked
        if acked // 1000 > reported // 1000:
            print(f"progress acked={acked} retries={producer.stats.retries}", flush=True)
            reported = acked
        if time.monotonic() - began > args.wait + args.count / max(args.rate, 1):
            break
        time.sleep(0.02)
    for w in workers:
        w.join()
    producer.close(timeout=args.wait)
    seconds = time.monotonic() - began

    failures = []
    order_broken = 0
    for t, thread in enumerate(futures):
        last = -1
        for f in thread:
            if not f.done():
                failures.append("not answered")
                continue
            if f.exception() is not None:
                failures.append(repr(f.exception()))
                continue
            if f.result().global_seq <= last:
                order_broken += 1
            last = f.result().global_seq
    acked = sum(1 for thread in futures for f in thread if f.done() and f.exception() is None)
    follower.join(args.wait)
    subscription.close()
    ok = acked == total and not failures and order_broken == 0 and len(seen) == total and not repeated
    print(f"soak: acked={acked} of {total} failed={len(failures)} duplicates={producer.stats.duplicates} "
          f"retries={producer.stats.retries} requests={producer.stats.requests} order_broken={order_broken} "
          f"subscriber={len(seen)} repeated={len(repeated)} reconnects={subscription.reconnects} "
          f"seconds={seconds:.1f} transport={producer.transport}", flush=True)
    for failure in failures[:5]:
        print("  failed:", failure, flush=True)
    client.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
