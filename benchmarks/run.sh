#!/usr/bin/env bash
# Builds and runs the whole benchmark suite on this machine, in one run, and writes
#   benchmarks/results/<date>/results.json  (JMH JSON, every run merged)
#   benchmarks/results/<date>/summary.md     (the targets as ratios within this run)
#   benchmarks/results/<date>/throughput.png (append throughput against threads)
#   benchmarks/results/<date>/clients.jsonl  (benchmarks/clients.sh: the Python and Node clients, curl, the CLI)
#   benchmarks/results/<date>/logs/          (the stderr of every set-up step and client workload)
# About 20 minutes on 2 cores, plus about 10 for the clients (estimated from quick runs). PostgreSQL is installed from Debian's packages when
# missing and run as a private cluster on 127.0.0.1 in a temp directory; where that fails,
# postgresInsert is skipped and the summary says which step failed, quoting its stderr.
# BENCH_QUICK=1 runs every benchmark briefly (minutes, numbers rough). BENCH_ROUNDS=N runs the 1- and
# 4-thread append pairs N times (3; Summary takes medians). BENCH_ONLY=clients,server
# runs only those parts: ledger (the embedded JMH benchmarks), postgres, server (ServerBenchmark),
# clients. BENCH_OUT=DIR writes there instead (a partial run would otherwise replace the day's results).
# Maven honours MAVEN_OPTS (e.g. -Dmaven.repo.local=...) and MAVEN_ARGS (e.g. -o).
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$home"
only="${BENCH_ONLY:-ledger,postgres,server,clients}"
part() { [[ ",$only," == *",$1,"* ]]; }
./mvnw -q -B -DskipTests install -pl benchmarks,replay-cli -am
out="${BENCH_OUT:-benchmarks/results/$(date -u +%Y-%m-%d)}"
logs="$out/logs"
mkdir -p "$logs"
work="$(mktemp -d)"
trap 'pg_stop; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
# shellcheck disable=SC2046 # the flags file holds several words on purpose
java_cmd=(java $(cat benchmarks/target/jvm.flags) -Dindelible.bench.dir="$work" -Xmx4g)
jar=benchmarks/target/benchmarks.jar

# The cluster's variables must live in this shell: pg_start once ran in $(...), so pg_stop found no
# pg_dir and every run left its cluster on the fixed port 55432; the next run within a minute (until
# PostgreSQL noticed its deleted directory), or another clone's run at the same time, could not start.
pg_dir=""
pg_url=""
pg_fail() { # STEP LOG: says why postgresInsert is skipped, quoting the step's stderr
  { echo "postgres: skipped ($1 failed); last lines of logs/$(basename "$2"):"; echo '```'; tail -n 8 "$2"; echo '```'; } \
    > "$out/postgres.txt"
  echo "run.sh: postgresInsert skipped, $1 failed: see $2" >&2
  return 1
}
pg_step() { # NAME COMMAND...: one set-up step, its output kept in logs/postgres-NAME.err
  local name="$1"
  shift
  "$@" >"$logs/postgres-$name.err" 2>&1 || pg_fail "$name" "$logs/postgres-$name.err"
}
pg_install() { # waits for another apt's lock rather than failing at once
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -y -q)
  "${apt[@]}" install postgresql || { "${apt[@]}" update && "${apt[@]}" install postgresql; }
}
pg_access() { # the postgres user must reach its directory (mktemp -d is 0700 root)
  su postgres -c "test -w '$pg_dir'" || { echo "the postgres user cannot write $pg_dir:"; namei -l "$pg_dir"; return 1; }
}
pg_ctl_start() { # pg_ctl only says "could not start server": the server's log says why
  su postgres -c "$pg_bin/pg_ctl -D $pg_dir -o '-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_dir' -l $pg_dir/log -w start" \
    || { cat "$pg_dir/log"; return 1; }
}
pg_stop() { if [ -n "$pg_dir" ]; then su postgres -c "$pg_bin/pg_ctl -D $pg_dir -m fast stop" >/dev/null 2>&1 || true; fi; }
pg_start() {
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    echo "run.sh: installing PostgreSQL from Debian's packages" >&2
    # The package's own cluster may fail to start in a container, failing the install with its
    # binaries in place: only missing binaries are fatal.
    pg_step apt-install pg_install || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || return 1
  fi
  pg_bin="$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")"
  pg_step user id postgres || return 1
  chmod 711 "$work"
  pg_dir="$work/pg"
  mkdir -p "$pg_dir"
  pg_step chown chown postgres "$pg_dir" || return 1
  pg_step access pg_access || return 1
  pg_step initdb su postgres -c "$pg_bin/initdb -D $pg_dir -A trust -U bench" || return 1
  # A free port: other clones may run this at the same time, so a port taken between the check and
  # the bind is tried again with the next.
  pg_port=55431
  while pg_port=$((pg_port + 1)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$pg_port") 2>/dev/null; then continue; fi
    rm -f "$pg_dir/log"
    if pg_ctl_start >"$logs/postgres-start.err" 2>&1; then break; fi
    if [ "$pg_port" -ge 55500 ] || ! grep -q 'Address already in use' "$pg_dir/log"; then
      pg_fail start "$logs/postgres-start.err"
      return 1
    fi
  done
  pg_url="jdbc:postgresql://127.0.0.1:$pg_port/postgres?user=bench"
  rm -f "$out/postgres.txt"
}
if part postgres; then pg_start || pg_url=""; fi

if [ "${BENCH_QUICK:-0}" = 1 ]; then
  tp=(-f 1 -wi 1 -w 1s -i 1 -r 1s); lat=("${tp[@]}"); srv=("${tp[@]}"); single=(-f 1 -wi 0 -i 1); sizes=(-p events=200000); replay=(-p events=200000); reopen=(-p events=1000000)
else
  tp=(-f 1 -wi 1 -w 2s -i 3 -r 3s)
  # Percentiles need the steady state: with 2 s of warm-up the ledger's p99 still holds its JIT
  # and heap warm-up (10-16 us); after 2 x 5 s it is 1.4-1.8 us. Every system gets the same.
  lat=(-f 1 -wi 2 -w 5s -i 3 -r 3s)
  # A server's JIT is busier: 16-21 s into a gRPC run C2 still took 24% of the CPU and recompiled
  # ~90 methods every 3 s, and gRPC rose from 22k to 55k appends/s over 5 iterations. 4 x 5 s first.
  srv=(-f 1 -wi 4 -w 5s -i 3 -r 3s); single=(-f 1 -wi 0 -i 2); sizes=(); replay=(-p events=1000000); reopen=()
fi
n=0
jmh() { n=$((n + 1)); "${java_cmd[@]}" ${pg_url:+-Dindelible.postgres.url="$pg_url"} -jar "$jar" "$@" -rf json -rff "$work/part-$n.json"; }

if part ledger; then
  # The append targets compare two contended scores, each unsteady here (raw Chronicle at 4 threads
  # read 626k/s one day and 1.13M/s the next): at 1 and 4 threads the pair runs BENCH_ROUNDS times
  # (3), alternated, and Summary takes the median run of each.
  rounds=1
  if [ "${BENCH_QUICK:-0}" != 1 ]; then rounds="${BENCH_ROUNDS:-3}"; fi
  for t in 1 2 4 8; do
    repeat=1
    if [ "$t" = 1 ] || [ "$t" = 4 ]; then repeat="$rounds"; fi
    for ((r = 0; r < repeat; r++)); do
      jmh 'LedgerAppendBenchmark.indelibleAppend$' -t "$t" "${tp[@]}"
      jmh 'RawChronicleBenchmark.rawChronicleAppend$' -t "$t" "${tp[@]}"
      if [ "$t" = 1 ] || [ "$t" = 4 ]; then jmh 'RawChronicleBenchmark.rawChronicleAppendLedgerSized$' -t "$t" "${tp[@]}"; fi
    done
  done
  for t in 1 4; do
    jmh 'LedgerAsyncBenchmark.indelibleAppendAsync$' -t "$t" "${tp[@]}"
    jmh 'LedgerExpectedBenchmark.indelibleAppendExpected$' -t "$t" "${tp[@]}"
    jmh 'RocksDbBenchmark' -t "$t" "${tp[@]}"
    jmh 'AppendLatencyBenchmark.appendLatency$' -t "$t" "${lat[@]}"
  done
fi
if part postgres && [ -n "$pg_url" ]; then
  for t in 1 4; do jmh 'PostgresBenchmark.postgresInsert$' -t "$t" "${tp[@]}"; done
fi
if part server; then
  jmh 'ServerBenchmark.serverAppend$' -t 8 "${srv[@]}"
  jmh 'ServerBenchmark.serverTrivial$' -t 8 -p transport=http,grpc "${srv[@]}"
  jmh 'ServerBenchmark.serverAppendAsync$' -t 8 -p transport=embedded,grpc "${srv[@]}"
fi
if part ledger; then
  jmh 'LedgerAsyncLatencyBenchmark' "${lat[@]}"
  jmh 'JsonFileBenchmark' -t 1 "${tp[@]}"
  jmh 'SqliteBenchmark' -t 1 "${tp[@]}"
  jmh 'TransactionBenchmark' -t 1 "${tp[@]}"
  jmh 'LedgerAppendBenchmark.(indelibleAppend|indelibleAppendReceipt|callerEvent)$' -t 1 -p durability=MEMORY_MAPPED -p batch=1 -prof gc "${tp[@]}"
  jmh 'ReadSideBenchmark.replayDecode$' "${single[@]}" "${replay[@]}"
  jmh 'ReadSideBenchmark.rebuild' "${single[@]}" "${sizes[@]}"
  jmh 'ReopenBenchmark.reopen$' "${single[@]}" "${reopen[@]}"
  "${java_cmd[@]}" -cp "$jar" dev.indelible.benchmarks.LostWrites | tee "$out/lost-writes.txt"
fi
if part clients; then benchmarks/clients.sh "$out"; fi
shopt -s nullglob # a partial run may have no JMH part
"${java_cmd[@]}" -cp "$jar" dev.indelible.benchmarks.Summary "$out" "$work"/part-*.json
echo "results in $out"
