# Sourced by bench/loadtest.sh when LOADTEST_MODE=replicas: the same pages
# through nginx, first with one gunicorn replica behind its upstream, then
# with two, in one run, so the figures sit side by side. Each replica has
# WEB_CONCURRENCY workers and reads the same database; nginx spreads
# requests with the upstream settings of deploy/nginx.conf.

if ! command -v nginx >/dev/null 2>&1; then
  echo "nginx is missing: installing it with apt-get."
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
  $SUDO apt-get install -y nginx >/dev/null || { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y nginx >/dev/null; }
fi

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
REPLICA_PORTS=("$PORT" "$(free_port)")
NGINX_PORT="$(free_port)"
NGINX_DIR="$PWD/$WORKDIR/nginx"
mkdir -p "$NGINX_DIR"
REPLICA_PIDS=()
NGINX_PID=""

start_replica() {
  GUNICORN_BIND="127.0.0.1:$1" GUNICORN_ACCESS_LOG="$ACCESS_LOG" GUNICORN_ERROR_LOG="$WORKDIR/error.log" \
    "$PY" -m gunicorn config.wsgi:application -c gunicorn.conf.py &
  REPLICA_PIDS+=("$!")
  for _ in $(seq 1 120); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$1/healthz" 2>/dev/null; then return; fi
    sleep 0.5
  done
  echo "gunicorn on port $1 did not start; see $WORKDIR/error.log" >&2
  exit 1
}

start_nginx() {
  local servers="" user=""
  for port in "$@"; do servers+="        server 127.0.0.1:$port max_fails=2 fail_timeout=10s;"$'\n'; done
  if [ "$(id -u)" = 0 ]; then user="user root;"; fi
  cat > "$NGINX_DIR/nginx.conf" <<CONF
$user
worker_processes auto;
daemon off;
pid $NGINX_DIR/nginx.pid;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $NGINX_DIR/body;
    proxy_temp_path $NGINX_DIR/proxy;
    fastcgi_temp_path $NGINX_DIR/fastcgi;
    uwsgi_temp_path $NGINX_DIR/uwsgi;
    scgi_temp_path $NGINX_DIR/scgi;
    upstream directory_web {
$servers        keepalive 32;
    }
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location / {
            proxy_pass http://directory_web;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_next_upstream error timeout http_502 http_503;
            proxy_next_upstream_tries 2;
        }
    }
}
CONF
  nginx -p "$NGINX_DIR" -e "$NGINX_DIR/error.log" -c "$NGINX_DIR/nginx.conf" &
  NGINX_PID=$!
  for _ in $(seq 1 50); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$NGINX_PORT/healthz" 2>/dev/null; then return; fi
    sleep 0.2
  done
  echo "nginx did not start; see $NGINX_DIR/error.log" >&2
  exit 1
}

stop_nginx() {
  if [ -n "$NGINX_PID" ]; then
    kill "$NGINX_PID" 2>/dev/null || true
    wait "$NGINX_PID" 2>/dev/null || true
    NGINX_PID=""
  fi
}

stop_replicas() {
  stop_nginx
  for pid in "${REPLICA_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  REPLICA_PIDS=()
}

BASE="http://127.0.0.1:$NGINX_PORT"
compare() {
  start_nginx "${REPLICA_PORTS[0]}"
  echo "nginx → 1 replica ($WEB_CONCURRENCY workers)"
  RESULT_PREFIX="one:" run_pages "$@"
  stop_nginx
  start_nginx "${REPLICA_PORTS[@]}"
  echo "nginx → 2 replicas ($WEB_CONCURRENCY workers each)"
  RESULT_PREFIX="two:" run_pages "$@"
  stop_nginx
}

echo "wrk: $THREADS threads, $CONNECTIONS connections, $DURATION per page, timeout $TIMEOUT"
for port in "${REPLICA_PORTS[@]}"; do start_replica "$port"; done
compare healthz search profile
stop_replicas
export SEARCH_PAGE_CACHE_SECONDS=0
for port in "${REPLICA_PORTS[@]}"; do start_replica "$port"; done
echo "Search pages not cached (SEARCH_PAGE_CACHE_SECONDS=0)"
compare search_uncached
stop_replicas
unset SEARCH_PAGE_CACHE_SECONDS

"$PY" - "$WORKDIR/results.txt" "$RESULTS/loadtest-replicas.json" "$THREADS" "$CONNECTIONS" "$DURATION" \
  "$WEB_CONCURRENCY" "$THERAPISTS" <<'PYTHON'
import json, os, platform, sys

results_file, output, threads, connections, duration, workers, therapists = sys.argv[1:]
rows = {}
for line in open(results_file):
    label, _, *pairs = line.split()
    replicas, page = label.split(":")
    rows.setdefault(page, {})[replicas] = {key: float(value) for key, value in (pair.split("=") for pair in pairs)}
print()
print(f"{'page':<16} {'1 replica req/s':>16} {'p99 ms':>8} {'2 replicas req/s':>17} {'p99 ms':>8} {'ratio':>6} {'errors':>7}")
errors = 0
for page, by in rows.items():
    one, two = by["one"], by["two"]
    bad = int(sum(r["non2xx"] + r["socket_errors"] for r in (one, two)))
    errors += bad
    print(f"{page:<16} {one['rps']:>16.1f} {one['p99_ms']:>8.1f} {two['rps']:>17.1f} {two['p99_ms']:>8.1f} "
          f"{two['rps'] / one['rps']:>6.2f} {bad:>7}")
print()
print(f"{'PASS' if errors == 0 else 'FAIL'} errors: {errors}")
report = {
    "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
    "settings": {"threads": int(threads), "connections": int(connections), "duration": duration,
                 "workers_per_replica": int(workers), "therapists": int(therapists)},
    "pages": rows,
    "errors": errors,
}
with open(output, "w") as handle:
    json.dump(report, handle, indent=2)
print(f"Figures written to {output}")
sys.exit(0 if errors == 0 else 1)
PYTHON
