#!/usr/bin/env bash
# The client workloads of the benchmark issue, each against its baseline in the same run:
#   Python producer (4 threads) vs Python sqlite3 autocommit, default policy and SYNC;
#   Node producer (4 async workers) vs the Python producer;
#   curl --data-binary of an NDJSON file to POST /append vs `indelible append --ndjson`, with the server's heap;
#   Python subscribe catching up vs `indelible read` > /dev/null.
# Each workload appends one JSON line to OUT/clients.jsonl (Summary turns them into rows); a step that
# fails is written to OUT/clients.txt with its stderr's last lines (stderr is kept in OUT/logs), and the
# others go on. Needs the build run.sh makes (replay-cli and its launcher files), python3 and node.
# Usage: benchmarks/clients.sh OUT   (run.sh calls it; BENCH_ONLY=clients benchmarks/run.sh runs only this)
# BENCH_CLIENTS=producers runs only the producers and their sqlite baselines (a few minutes).
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$home"
out="$1"
logs="$out/logs"
results="$out/clients.jsonl"
failures="$out/clients.txt"
mkdir -p "$logs"
: > "$results"
: > "$failures"
work="$(mktemp -d)"
srv_pid=""
trap 'serve_stop; rm -rf "$work"' EXIT

if [ "${BENCH_QUICK:-0}" = 1 ]; then
  producer_events=20000; sqlite_events=20000; sqlite_full_events=500; bulk_events=100000
else
  # synchronous=FULL syncs every commit: a few thousand inserts give its rate, 200,000 would take minutes.
  producer_events=200000; sqlite_events=200000; sqlite_full_events=5000; bulk_events=1000000
fi
export PYTHONPATH="$home/clients/python" PYTHONDONTWRITEBYTECODE=1 # nothing written under clients/
bench_py=(python3 benchmarks/clients/bench.py)
launcher=replay-cli/target/launcher
# The launcher script's command without its staleness check, which would rebuild with another Maven repo.
# shellcheck disable=SC2046 # the flags file holds several words on purpose
cli_java=(java $(cat "$launcher/jvm.flags") -cp "replay-cli/target/classes:$(cat "$launcher/classpath.txt")")
cli() { "${cli_java[@]}" dev.indelible.cli.Main "$@"; }

failed() { # NAME WHY STDERR_FILE
  { echo "- $1 failed ($2); last lines of logs/$(basename "$3"):"; echo '```'; tail -n 8 "$3"; echo '```'; } >> "$failures"
  echo "clients: $1 failed ($2), see $3" >&2
}

# Runs a command that prints a workload's JSON line last; stderr goes to logs/NAME.err.
workload() { # NAME COMMAND...
  local name="$1" line
  shift
  if line="$("$@" 2>"$logs/$name.err")"; then
    tail -n 1 <<<"$line" | tee -a "$results" >&2
  else
    failed "$name" "exit $?" "$logs/$name.err"
  fi
}

# Times a command that prints no JSON itself (its stdout goes to STDOUT_FILE) and writes its line.
timed() { # NAME EVENTS STDOUT_FILE COMMAND...
  local name="$1" events="$2" stdout="$3" start end
  shift 3
  start=$(date +%s%N)
  if "$@" >"$stdout" 2>"$logs/$name.err"; then
    end=$(date +%s%N)
    awk -v n="$name" -v e="$events" -v ns=$((end - start)) \
      'BEGIN { printf "{\"name\": \"%s\", \"events\": %d, \"seconds\": %.4f, \"per_second\": %.1f}\n", n, e, ns / 1e9, e / (ns / 1e9) }' \
      | tee -a "$results" >&2
  else
    failed "$name" "exit $?" "$logs/$name.err"
    return 1
  fi
}

# Starts `indelible serve` on 127.0.0.1 with free ports and a new data dir and waits until
# /health/ready answers 200; sets url, token and srv_pid. Its GC log goes to logs/NAME-gc.log.
serve_start() { # NAME SERVE_OPTIONS...
  local name="$1" dir="$work/$1" deadline=$((SECONDS + 120))
  shift
  mkdir -p "$dir"
  if token="$(cli --data "$dir" token create --name bench --streams '*' --verbs append,read,status 2>"$logs/$name-token.err")"; then :
  else
    failed "$name token create" "exit $?" "$logs/$name-token.err"
    return 1
  fi
  # A fixed heap, so the heap row means the same on every machine.
  "${cli_java[@]}" -Xmx1g -Xlog:gc:file="$logs/$name-gc.log" dev.indelible.cli.Main serve --data "$dir" --port 0 "$@" \
    >"$logs/$name.out" 2>"$logs/$name.err" &
  srv_pid=$!
  url=""
  while [ "$(curl -s -o /dev/null -w '%{http_code}' "${url:-http://127.0.0.1:1}/health/ready")" != 200 ]; do
    if ! kill -0 "$srv_pid" 2>/dev/null; then
      wait "$srv_pid" || failed "$name" "exited with $?" "$logs/$name.err"
      srv_pid=""
      return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      failed "$name" "not ready within 120 s" "$logs/$name.err"
      serve_stop
      return 1
    fi
    url="$(grep -o 'HTTP on http://[0-9.]*:[0-9]*' "$logs/$name.out" | sed 's/^HTTP on //' || true)"
    sleep 0.1
  done
  echo "clients: $name ready at $url (pid $srv_pid)" >&2
}

serve_stop() {
  if [ -n "$srv_pid" ]; then
    kill -TERM "$srv_pid" 2>/dev/null || true
    wait "$srv_pid" 2>/dev/null || true
    srv_pid=""
  fi
}

sqlite_both() { # SYNC EVENTS: 1 and 4 threads, the summary compares with the faster (bench.py says why)
  for t in 1 4; do
    workload "sqlite-$1-${t}t" "${bench_py[@]}" sqlite "sqlite-$1-${t}t" "$work/sqlite-$1-$t.db" "$2" "$t" "$1"
  done
}

# 1 and 3: the default policy (reference projections running, as `indelible serve` runs).
sqlite_both NORMAL "$sqlite_events"
# The most one Python interpreter can append, whatever the server: what the goals ask of CPython alone.
workload python-ceiling "${bench_py[@]}" ceiling python-ceiling "$producer_events"
if serve_start serve-default; then
  workload python-producer "${bench_py[@]}" producer python-producer "$url" "$token" "$producer_events" 4
  workload node-producer node benchmarks/clients/producer.mjs node-producer "$url" "$token" "$producer_events" 4
  serve_stop
fi

# 2: group-commit fsync against an fsync per commit.
sqlite_both FULL "$sqlite_full_events"
if serve_start serve-sync --durability SYNC; then
  workload python-producer-sync "${bench_py[@]}" producer python-producer-sync "$url" "$token" "$producer_events" 4
  serve_stop
fi

if [ "${BENCH_CLIENTS:-all}" = producers ]; then exit 0; fi

# 4 and 5: one NDJSON file, appended by the CLI and by curl, read back by the CLI and by subscribe.
# The server runs without projections there: the CLI's append and read feed none either.
bulk="$work/bulk.ndjson"
"${bench_py[@]}" ndjson "$bulk" "$bulk_events"
timed cli-append "$bulk_events" /dev/null cli --data "$work/cli" append --ndjson "$bulk" || true
if serve_start serve-bulk --no-projections; then
  heap_used() { jcmd "$srv_pid" GC.heap_info 2>/dev/null | grep -o 'used [0-9]*K' | head -n 1 | tr -dc 0-9 || true; }
  # The heap through the upload: every GC's before and after from the server's GC log (no process
  # attached while it runs), plus jcmd on this server's pid alone before and after.
  used_before="$(heap_used)"
  gc_from=$(wc -l < "$logs/serve-bulk-gc.log")
  if timed curl-append "$bulk_events" "$work/answers.ndjson" curl -sS --fail-with-body -H "Authorization: Bearer $token" \
      -H 'Content-Type: application/x-ndjson' --data-binary @"$bulk" "$url/append"; then
    used_after="$(heap_used)"
    gc_to=$(wc -l < "$logs/serve-bulk-gc.log")
    acked=$(grep -c '"global_seq"' "$work/answers.ndjson" || true)
    if [ "$acked" != "$bulk_events" ]; then
      tail -n 3 "$work/answers.ndjson" > "$logs/curl-append-answers.tail"
      failed "curl-append check" "$acked of $bulk_events lines acknowledged" "$logs/curl-append-answers.tail"
    fi
    workload serve-heap "${bench_py[@]}" gclog serve-heap "$logs/serve-bulk-gc.log" "$gc_from" "$gc_to" \
      "${used_before:-0}" "${used_after:-0}" "$(stat -c %s "$bulk")"
  fi
  workload python-subscribe "${bench_py[@]}" subscribe python-subscribe "$url" "$token" "$bulk_events"
  serve_stop
fi
timed cli-read "$bulk_events" /dev/null cli --data "$work/cli" read || true
