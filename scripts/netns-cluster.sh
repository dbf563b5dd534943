#!/usr/bin/env bash
# scripts/netns-cluster.sh — the nats runtime across "hosts" on one machine: network namespaces
# for the NATS server, two workers and the training client, joined by veth pairs to a bridge that
# lives in a namespace of its own (nothing is added to the root namespace's network). It starts
# nats-server in one namespace, `npm run worker -- --server nats://10.231.77.1:4222` in two
# others, runs a short training from the client namespace, prints its result, and removes
# everything it created on exit (trap), also after an error or Ctrl-C.
#
# Usage (as root, from anywhere in the repository):
#   scripts/netns-cluster.sh                      # the default short training
#   scripts/netns-cluster.sh --tmax 1 --seed 2    # extra flags for `npm run train`
#
# Idempotent: namespaces left by an earlier run (names uepnc-*) are removed first. Only the
# namespaces named below are ever created, entered or deleted.
set -euo pipefail

P=uepnc
NS_BR=$P-br
NS_NATS=$P-nats
NS_W1=$P-w1
NS_W2=$P-w2
NS_CLIENT=$P-client
ALL_NS=("$NS_NATS" "$NS_W1" "$NS_W2" "$NS_CLIENT" "$NS_BR")
NET=10.231.77
NATS_IP=$NET.1
declare -A IP=([$NS_NATS]=$NET.1 [$NS_W1]=$NET.11 [$NS_W2]=$NET.12 [$NS_CLIENT]=$NET.20)
URL=nats://$NATS_IP:4222

cd "$(dirname "$0")/.."

# --- checks: refuse, naming what is missing ---------------------------------------------------
missing=()
[ "$(id -u)" -eq 0 ] || missing+=("root (network namespaces need CAP_SYS_ADMIN and CAP_NET_ADMIN: run with sudo)")
command -v ip >/dev/null 2>&1 || missing+=("ip (apt-get install -y iproute2)")
NATS_BIN=$(command -v nats-server 2>/dev/null || { [ -x /usr/sbin/nats-server ] && echo /usr/sbin/nats-server; } || true)
[ -n "$NATS_BIN" ] || missing+=("nats-server (apt-get install -y nats-server)")
command -v node >/dev/null 2>&1 || missing+=("node (>= 20)")
command -v npm >/dev/null 2>&1 || missing+=("npm")
[ -d node_modules ] || missing+=("node_modules (npm ci)")
if [ ${#missing[@]} -gt 0 ]; then
  echo "netns-cluster: cannot run; missing:" >&2
  for m in "${missing[@]}"; do echo "  - $m" >&2; done
  exit 1
fi
if ! ip netns list >/dev/null 2>&1; then
  echo "netns-cluster: cannot run; missing: network namespace support (ip netns list failed)" >&2
  exit 1
fi

export npm_config_update_notifier=false # no registry look-ups from inside the namespaces
TMP=$(mktemp -d -t netns-cluster.XXXXXX)
WORKER_PIDS=()
NATS_PID=

has_ns() { ip netns list | awk '{print $1}' | grep -qxF "$1"; }

remove_namespaces() {
  local ns pid
  for ns in "${ALL_NS[@]}"; do
    has_ns "$ns" || continue
    # stop whatever runs inside our namespace (only processes this script started live there)
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null || true; done
  done
  sleep 1
  for ns in "${ALL_NS[@]}"; do
    has_ns "$ns" || continue
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e # clean up everything, whatever fails
  echo "netns-cluster: cleaning up (processes, namespaces ${ALL_NS[*]}, $TMP)"
  # workers first (they say how many tasks they served), then the server, then the namespaces
  for pid in "${WORKER_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${WORKER_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "$NATS_PID" ]; then kill -TERM "$NATS_PID" 2>/dev/null; wait "$NATS_PID" 2>/dev/null; fi
  remove_namespaces
  for w in w1 w2; do
    [ -f "$TMP/$w.log" ] && sed "s/^/  [$w] /" "$TMP/$w.log" | tail -n 3
  done
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- namespaces: a bridge namespace and one veth pair per host -------------------------------
remove_namespaces # leftovers of an earlier run
for ns in "${ALL_NS[@]}"; do
  ip netns add "$ns"
  ip -n "$ns" link set lo up
done
ip -n "$NS_BR" link add br0 type bridge
ip -n "$NS_BR" link set br0 up
for ns in "$NS_NATS" "$NS_W1" "$NS_W2" "$NS_CLIENT"; do
  port="v-${ns#"$P"-}"
  ip -n "$NS_BR" link add "$port" type veth peer name eth0 netns "$ns"
  ip -n "$NS_BR" link set "$port" master br0 up
  ip -n "$ns" addr add "${IP[$ns]}/24" dev eth0
  ip -n "$ns" link set eth0 up
done
echo "netns-cluster: namespaces ${ALL_NS[*]}; nats $NATS_IP, workers ${IP[$NS_W1]} ${IP[$NS_W2]}, client ${IP[$NS_CLIENT]} on bridge br0 ($NS_BR)"

# --- the NATS server and two workers ---------------------------------------------------------
wait_for() { # file pattern seconds what
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "netns-cluster: $4 did not start within $3 s; its log:" >&2
  cat "$1" >&2 || true
  return 1
}
mkdir -p "$TMP/store"
ip netns exec "$NS_NATS" "$NATS_BIN" -a "$NATS_IP" -p 4222 -sd "$TMP/store" >"$TMP/nats.log" 2>&1 &
NATS_PID=$!
wait_for "$TMP/nats.log" "Server is ready" 20 "nats-server"
for w in w1 w2; do
  ns=$P-$w
  ip netns exec "$ns" npm run --silent worker -- --server "$URL" >"$TMP/$w.log" 2>&1 &
  WORKER_PIDS+=($!)
done
wait_for "$TMP/w1.log" "connected" 120 "worker 1"
wait_for "$TMP/w2.log" "connected" 120 "worker 2"
echo "netns-cluster: nats-server in $NS_NATS, workers in $NS_W1 and $NS_W2 connected to $URL"

# --- the training run, from the client namespace ---------------------------------------------
TRAIN=(--scheme ew --tmax 0.5 --runtime nats --server "$URL" --limit 640 --epochs 1 --out "$TMP/train" "$@")
echo "netns-cluster: ip netns exec $NS_CLIENT npm run train -- ${TRAIN[*]}"
ip netns exec "$NS_CLIENT" npm run --silent train -- "${TRAIN[@]}"
