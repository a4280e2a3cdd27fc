#!/usr/bin/env bash
# Load test of `indmon serve` with wrk (Debian package `wrk`) on loopback: the main API
# endpoints, the overview page, the dependency pages (a product's story, mutual
# dependencies, critical raw materials) and the evaluation page with its endpoint, each
# for DURATION with CONNECTIONS connections on 2 threads. Prints requests/s, p50/p99 latency, errors (socket errors and non-2xx answers)
# and the server's peak RSS.
#
# The peer, in the same run: nginx (Debian `nginx-light`) serving the very same bytes as
# static files from a tmpfs — the speed of answering without computing anything, the
# ceiling for a server that answers from memory. Its figures give the ratio column.
#
#   cargo build --release
#   bash bench/web/run.sh [path/to/indmon]          # DURATION=30s CONNECTIONS=64 by default
set -euo pipefail
INDMON=${1:-target/release/indmon}
DURATION=${DURATION:-30s}
CONNECTIONS=${CONNECTIONS:-64}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }
work=$(mktemp -d)
trap 'kill $server ${peer:-} 2>/dev/null || true; rm -rf "$work"' EXIT

"$INDMON" --quiet --data-dir "$work/data" serve --bind 127.0.0.1:0 > "$work/serve.out" &
server=$!
for _ in $(seq 100); do grep -q http "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
base=$(grep -o 'http://[0-9.:]*' "$work/serve.out" | head -1)
echo "indmon $("$INDMON" --version) at $base; wrk $DURATION, $CONNECTIONS connections, 2 threads"

endpoints=(
  "/api/v1/target"
  "/api/v1/target/decomposition"
  "/api/v1/target/peers"
  "/api/v1/target/share"
  "/api/v1/sources"
  "/"
  "/api/v1/dependencies/850511"
  "/api/v1/mutual"
  "/api/v1/crm"
  "/dependencies/850511"
  "/mutual"
  "/crm"
  "/crm/Cobalt"
  "/api/v1/evaluate/synth"
  "/evaluation"
)

# the same answers as files, for the peer
mkdir -p "$work/static"
for e in "${endpoints[@]}"; do
  name=$(echo "$e" | tr '/' '_')
  curl -sf "$base$e" -o "$work/static/${name}.body"
done

peer=""
if command -v nginx >/dev/null; then
  mkdir -p "$work/nginx"
  cat > "$work/nginx/nginx.conf" <<CONF
worker_processes 2;
pid $work/nginx/pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server {
    listen 127.0.0.1:18089;
    root $work/static;
    default_type application/json;
  }
}
CONF
  nginx -c "$work/nginx/nginx.conf" -g 'daemon off;' &
  peer=$!
  sleep 0.5
fi

run() { # url -> "req/s p50_ms p99_ms errors"
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$1" > "$work/wrk.out" 2>&1
  awk '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    /Requests\/sec/ { rps = $2 }
    /^ +50%/ { p50 = ms($2) }
    /^ +99%/ { p99 = ms($2) }
    /Socket errors/ { gsub(",", ""); err += $4 + $6 + $8 + $10 }
    /Non-2xx/ { err += $NF }
    END { printf "%.0f %.2f %.2f %d\n", rps, p50, p99, err }' "$work/wrk.out"
}

printf "| endpoint | bytes | indmon req/s | p50 ms | p99 ms | errors | nginx static req/s | p99 ms | indmon / nginx |\n"
printf "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n"
for e in "${endpoints[@]}"; do
  name=$(echo "$e" | tr '/' '_')
  bytes=$(stat -c %s "$work/static/${name}.body")
  read -r rps p50 p99 err < <(run "$base$e")
  if [ -n "$peer" ]; then
    read -r nrps _ np99 _ < <(run "http://127.0.0.1:18089/${name}.body")
    ratio=$(awk -v a="$rps" -v b="$nrps" 'BEGIN { printf "%.2f", a / b }')
  else
    nrps="–"; np99="–"; ratio="–"
  fi
  printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n" "$e" "$bytes" "$rps" "$p50" "$p99" "$err" "$nrps" "$np99" "$ratio"
done
echo
echo "indmon serve peak RSS: $(awk '/VmHWM/ { printf "%.0f MiB", $2 / 1024 }' /proc/$server/status)"
