#!/usr/bin/env bash
# A three-node NATS JetStream cluster on this machine, 127.0.0.1 only, from
# Debian's nats-server (docs/scale-out.md):
#   scripts/nats_cluster.sh start [DIR]   # clients on 4222-4224, routes on 6222-6224
#   scripts/nats_cluster.sh stop [DIR]
#   NATS_PORT=N     first client port (N, N+1, N+2; routes at N+2000 ...)
#   NATS_TOKEN=T    clients must present this token (default: none)
# Each node keeps its JetStream data, configuration and log in DIR/nN
# (default out/nats). A stopped cluster started again keeps its streams.
set -euo pipefail
cmd=${1:-start}
dir=${2:-out/nats}
port=${NATS_PORT:-4222}
case $cmd in
  start)
    command -v nats-server > /dev/null || { echo "nats-server not found: run scripts/setup.sh" >&2; exit 1; }
    routes=""
    for i in 0 1 2; do routes+="nats-route://127.0.0.1:$((port + 2000 + i)), "; done
    for i in 0 1 2; do
      d="$dir/n$((i + 1))"
      mkdir -p "$d"
      {
        echo "server_name: n$((i + 1))"
        echo "listen: 127.0.0.1:$((port + i))"
        echo "jetstream { store_dir: \"$(cd "$d" && pwd)/js\", max_memory_store: 256MB, max_file_store: 8GB }"
        if [ -n "${NATS_TOKEN:-}" ]; then echo "authorization { token: \"$NATS_TOKEN\" }"; fi
        echo "cluster { name: skyfuse, listen: 127.0.0.1:$((port + 2000 + i)), routes: [ ${routes%, } ] }"
      } > "$d/nats.conf"
      nats-server -c "$d/nats.conf" -P "$d/pid" > "$d/log" 2>&1 &
    done
    # Ready when a JetStream meta leader is elected (a few seconds).
    for _ in $(seq 1 100); do
      if grep -qh "JetStream cluster new metadata leader\|Self is new JetStream cluster metadata leader" "$dir"/n*/log 2> /dev/null; then
        echo "nats cluster: nats://127.0.0.1:$port,nats://127.0.0.1:$((port + 1)),nats://127.0.0.1:$((port + 2))"
        exit 0
      fi
      sleep 0.1
    done
    echo "nats cluster: no JetStream leader after 10 s; see $dir/n*/log" >&2
    exit 1
    ;;
  stop)
    for p in "$dir"/n*/pid; do [ -f "$p" ] && kill "$(cat "$p")" 2> /dev/null || true; done
    ;;
  *)
    echo "usage: $0 start|stop [DIR]" >&2
    exit 2
    ;;
esac
