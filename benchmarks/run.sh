#!/usr/bin/env bash
# Builds and runs the whole benchmark suite on this machine, in one run, and writes
#   benchmarks/results/<date>/results.json  (JMH JSON, every run merged)
#   benchmarks/results/<date>/summary.md     (the targets as ratios within this run)
#   benchmarks/results/<date>/throughput.png (append throughput against threads)
# About 18 minutes on 2 cores. PostgreSQL is installed from Debian's packages when missing and run as a
# private cluster on 127.0.0.1 in a temp directory; where that fails, postgresInsert is skipped and the
# summary says so. BENCH_QUICK=1 runs every benchmark briefly (minutes, numbers rough).
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$home"
./mvnw -q -B -DskipTests install -pl benchmarks -am
out="benchmarks/results/$(date -u +%Y-%m-%d)"
mkdir -p "$out"
work="$(mktemp -d)"
trap 'pg_stop; rm -rf "$work"' EXIT
# shellcheck disable=SC2046 # the flags file holds several words on purpose
java_cmd=(java $(cat benchmarks/target/jvm.flags) -Dindelible.bench.dir="$work" -Xmx4g)
jar=benchmarks/target/benchmarks.jar

pg_stop() { if [ -n "${pg_dir:-}" ]; then su postgres -c "$pg_bin/pg_ctl -D $pg_dir -m fast stop" >/dev/null 2>&1 || true; fi; }
pg_start() {
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    echo "run.sh: installing PostgreSQL from Debian's packages" >&2
    (apt-get install -y -q postgresql >/dev/null 2>&1 || (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q postgresql >/dev/null 2>&1)) || return 1
  fi
  pg_bin="$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")"
  pg_dir="$work/pg"
  mkdir -p "$pg_dir" && chown postgres "$pg_dir" "$work" 2>/dev/null || true
  su postgres -c "$pg_bin/initdb -D $pg_dir -A trust -U bench" >/dev/null || return 1
  su postgres -c "$pg_bin/pg_ctl -D $pg_dir -o '-c listen_addresses=127.0.0.1 -p 55432 -k $pg_dir' -l $pg_dir/log -w start" >/dev/null || return 1
  echo "jdbc:postgresql://127.0.0.1:55432/postgres?user=bench"
}
pg_url="$(pg_start || true)"
if [ -z "$pg_url" ]; then echo "postgres: skipped (could not install or start PostgreSQL)" > "$out/postgres.txt"; else rm -f "$out/postgres.txt"; fi

if [ "${BENCH_QUICK:-0}" = 1 ]; then
  tp=(-f 1 -wi 1 -w 1s -i 1 -r 1s); lat=("${tp[@]}"); single=(-f 1 -wi 0 -i 1); sizes=(-p events=200000); replay=(-p events=200000); reopen=(-p events=1000000)
else
  tp=(-f 1 -wi 1 -w 2s -i 3 -r 3s)
  # Percentiles need the steady state: with 2 s of warm-up the ledger's p99 still holds its JIT
  # and heap warm-up (10-16 us); after 2 x 5 s it is 1.4-1.8 us. Every system gets the same.
  lat=(-f 1 -wi 2 -w 5s -i 3 -r 3s); single=(-f 1 -wi 0 -i 2); sizes=(); replay=(-p events=1000000); reopen=()
fi
n=0
jmh() { n=$((n + 1)); "${java_cmd[@]}" ${pg_url:+-Dindelible.postgres.url="$pg_url"} -jar "$jar" "$@" -rf json -rff "$work/part-$n.json"; }

for t in 1 2 4 8; do
  jmh 'LedgerAppendBenchmark.indelibleAppend$' -t "$t" "${tp[@]}"
  jmh 'RawChronicleBenchmark.rawChronicleAppend$' -t "$t" "${tp[@]}"
done
for t in 1 4; do
  jmh 'LedgerAsyncBenchmark.indelibleAppendAsync$' -t "$t" "${tp[@]}"
  jmh 'LedgerExpectedBenchmark.indelibleAppendExpected$' -t "$t" "${tp[@]}"
  jmh 'RocksDbBenchmark' -t "$t" "${tp[@]}"
  jmh 'AppendLatencyBenchmark.appendLatency$' -t "$t" "${lat[@]}"
  if [ -n "$pg_url" ]; then jmh 'PostgresBenchmark.postgresInsert$' -t "$t" "${tp[@]}"; fi
done
jmh 'ServerBenchmark.serverAppend$' -t 8 "${tp[@]}"
jmh 'LedgerAsyncLatencyBenchmark' "${lat[@]}"
jmh 'JsonFileBenchmark' -t 1 "${tp[@]}"
jmh 'SqliteBenchmark' -t 1 "${tp[@]}"
jmh 'LedgerAppendBenchmark.(indelibleAppend|indelibleAppendReceipt|callerEvent)$' -t 1 -p durability=MEMORY_MAPPED -p batch=1 -prof gc "${tp[@]}"
jmh 'ReadSideBenchmark.replayDecode$' "${single[@]}" "${replay[@]}"
jmh 'ReadSideBenchmark.rebuild' "${single[@]}" "${sizes[@]}"
jmh 'ReopenBenchmark.reopen$' "${single[@]}" "${reopen[@]}"
"${java_cmd[@]}" -cp "$jar" dev.indelible.benchmarks.LostWrites | tee "$out/lost-writes.txt"
"${java_cmd[@]}" -cp "$jar" dev.indelible.benchmarks.Summary "$out" "$work"/part-*.json
echo "results in $out"
