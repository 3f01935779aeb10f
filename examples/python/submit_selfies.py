#!/usr/bin/env python3
"""Submit selfies to Indelible over HTTP, from several threads at once: what the selfie bot did
with a JSON file, without losing any. Standard library only.

  INDELIBLE_TOKEN=idl_... python3 submit_selfies.py [--url http://127.0.0.1:7171] [--count 1000] [--workers 4]

Each selfie carries its own event_id, so a retry after a timeout or a restarted server can never
store it twice: the server answers with the original position.
"""
import argparse
import json
import os
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid


def append(url, token, stream, event, attempts=20):
    body = json.dumps(event).encode("utf-8")
    for attempt in range(attempts):
        request = urllib.request.Request(f"{url}/streams/{stream}", data=body, method="POST", headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.load(response)
        except urllib.error.HTTPError as e:
            answer = json.load(e)
            if e.code != 503:
                raise RuntimeError(f"{e.code} {answer['error']}: {answer.get('field')}: {answer['message']}")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass  # the server is unreachable or restarting: retry with the same event_id
        time.sleep(min(0.05 * 2 ** attempt, 2))
    raise RuntimeError(f"gave up on {event['event_id']} after {attempts} attempts")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=os.environ.get("INDELIBLE_URL", "http://127.0.0.1:7171"))
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--prefix", default="py", help="file ids are PREFIX-N")
    args = parser.parse_args()
    token = os.environ.get("INDELIBLE_TOKEN") or sys.exit("set INDELIBLE_TOKEN (indelible token create ...)")

    results, failures, lock = [], [], threading.Lock()

    def worker(w):
        for i in range(w, args.count, args.workers):
            user_id = 1201911108 + i % 3
            event = {"event_id": str(uuid.uuid4()), "type": "selfie.submitted", "data": {
                "user_id": user_id, "media_type": "photo", "file_id": f"{args.prefix}-{i}",
                "submitted_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}}
            try:
                result = append(args.url, token, f"selfies-user-{user_id}", event)
                with lock:
                    results.append(result)
            except RuntimeError as e:
                with lock:
                    failures.append(str(e))

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(args.workers)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    duplicates = sum(1 for r in results if r["duplicate"])
    print(f"python: {len(results)} of {args.count} selfies acknowledged from {args.workers} workers "
          f"in {time.monotonic() - started:.1f} s ({duplicates} retried duplicates, {len(failures)} failed)")
    for failure in failures[:5]:
        print("  failed:", failure)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
