#!/usr/bin/env python3
"""One producer of ClusterFailoverTest: appends COUNT selfies of one user through the node at URL
with the repo's client (event ids from the client), at about RATE a second, and prints
"ack EVENT_ID GLOBAL_SEQ SECONDS" for each acknowledged one (SECONDS since it began; "failed SECONDS
ERROR" for each failed one), then "done acked=N failed=F retries=R".
Exits 0 only when every selfie was acknowledged.

  python3 cluster_producer.py URL TOKEN USER_ID COUNT RATE TRANSPORT

TRANSPORT: ndjson (POST /append, one append a line) or streams (POST /streams/..., a batch of the
events queued meanwhile as one all-or-nothing append).
"""
import sys
import threading
import time

import indelible


def main() -> int:
    url, token, user, count, rate = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    transport = sys.argv[6]
    # A node killed and started again, or stopped, for longer than a failover: retries with the same
    # event ids for two minutes. The timeout is above the server's own 30 s wait for the writer.
    client = indelible.Client(url, token, timeout=35, max_attempts=10_000, retry_seconds=120)
    producer = client.producer(linger_ms=20, max_batch=200, transport=transport)
    lock = threading.Lock()
    began = time.monotonic()

    def acked(future) -> None:
        if future.exception() is None:
            ack = future.result()
            with lock:
                print(f"ack {ack.event_id} {ack.global_seq} {time.monotonic() - began:.2f}", flush=True)
        else:
            with lock:
                print(f"failed {time.monotonic() - began:.2f} {future.exception()!r}", flush=True)

    futures = []
    stream = indelible.Selfies.stream(user)
    for i in range(count):
        delay = began + i / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        future = producer.append(stream, indelible.Selfies.event(user, "photo", f"cluster-{user}-{i}",
                                                                 "2024-05-01T12:00:00Z"))
        future.add_done_callback(acked)
        futures.append(future)
    producer.close(timeout=180)
    failed = [repr(f.exception()) for f in futures if not f.done() or f.exception() is not None]
    with lock:
        print(f"done acked={len(futures) - len(failed)} failed={len(failed)} retries={producer.stats.retries}"
              f" {failed[:3]}", flush=True)
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
