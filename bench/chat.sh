#!/usr/bin/env bash
# The chat load benchmark (make bench): kefu on PostgreSQL + Redis, driven by
# bench/chatload at 50, 200 and 1,000 visitors. Prints each run's JSON line.
#
#   KEFU_BENCH_DATABASE_URL  admin URL of a PostgreSQL server (default: the test one)
#   KEFU_BENCH_REDIS_URL     a Redis database to use (default redis://127.0.0.1:6379/14; flushed)
#   KEFU_BENCH_VISITORS      visitor counts (default "50 200 1000")
#   KEFU_BENCH_MESSAGES      messages per visitor in the paced runs (default 40)
#   KEFU_BENCH_WARMUP        the paced runs also report steady_p50_ms/steady_p99_ms over the
#                            messages sent after this long (default 10s; p99_ms covers all)
#   KEFU_BENCH_BURST         messages per visitor in the throughput runs (default 50: enough
#                            that the steady state, not the ramp, sets the rate)
#   KEFU_BENCH_INTERVAL      pause between a visitor's messages for the paced runs (default 1s)
set -euo pipefail
cd "$(dirname "$0")/.."
admin=${KEFU_BENCH_DATABASE_URL:-${KEFU_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}}
redis=${KEFU_BENCH_REDIS_URL:-redis://127.0.0.1:6379/14}
visitors=${KEFU_BENCH_VISITORS:-50 200 1000}
messages=${KEFU_BENCH_MESSAGES:-40}
warmup=${KEFU_BENCH_WARMUP:-10s}
burst=${KEFU_BENCH_BURST:-50}
interval=${KEFU_BENCH_INTERVAL:-1s}

if ! psql "$admin" -qAtc 'select 1' >/dev/null 2>&1 || ! redis-cli -u "$redis" ping >/dev/null 2>&1; then
  echo "bench: PostgreSQL ($admin) or Redis ($redis) unreachable: run ../shared/services.sh; chat benchmark skipped" >&2
  exit 0
fi
work=$(mktemp -d)
db="kefu_bench_$$"
psql "$admin" -qc "CREATE DATABASE $db" >/dev/null
dburl=$(python3 -c 'import sys,urllib.parse as u; p=u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/"+sys.argv[2])))' "$admin" "$db")
redis-cli -u "$redis" flushdb >/dev/null
go build -o "$work/kefu" ./server/cmd/kefu
go build -o "$work/chatload" ./bench/chatload
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
KEFU_DATABASE_URL="$dburl" KEFU_REDIS_URL="$redis" KEFU_SECRET_KEY="bench-secret-key-0123456789abcdef-0123456789" \
  KEFU_DATA_DIR="$work/data" KEFU_ADDR="127.0.0.1:$port" KEFU_LOG_LEVEL=warn KEFU_DB_MAX_CONNS=40 \
  "$work/kefu" serve >"$work/kefu.log" 2>&1 &
kpid=$!
cleanup() {
  kill "$kpid" 2>/dev/null || true
  wait "$kpid" 2>/dev/null || true
  psql "$admin" -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
  redis-cli -u "$redis" flushdb >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
ulimit -n 65536 2>/dev/null || true
# The latency runs go first, on a quiet database: right after a throughput run
# PostgreSQL is still vacuuming and checkpointing tens of thousands of rows, which
# measures that, not kefu's latency.
for v in $visitors; do
  echo "# chatload: $v visitors × $messages messages, paced ~1 per $interval per visitor (latency)"
  "$work/chatload" -addr "http://127.0.0.1:$port" -visitors "$v" -messages "$messages" -interval "$interval" -warmup "$warmup"
done
for v in $visitors; do
  echo "# chatload: $v visitors × $burst messages, as fast as acknowledged (throughput)"
  "$work/chatload" -addr "http://127.0.0.1:$port" -visitors "$v" -messages "$burst"
done
if ! kill -0 "$kpid" 2>/dev/null; then
  echo "bench: kefu died during the run" >&2
  tail -50 "$work/kefu.log" >&2
  exit 1
fi
