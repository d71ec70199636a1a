#!/usr/bin/env bash
# A sweep (or a calibration) on a two-node Ray cluster on 127.0.0.1 with one node killed
# mid-run gives the same table (the same posterior) as the local executor.
#
#   bash scripts/ray_two_node_check.sh          # RUNS=30000 CHUNK=1000 by default (RUNS: a multiple of 30)
#   JOB=calibration SETS=600 CHUNK=20 bash scripts/ray_two_node_check.sh
#                                               # the calibration's prior sweep: posterior.parquet
#                                               # and prior_sets.parquet compared instead
#
# 1. Starts a Ray head and one worker node on 127.0.0.1, each in its own process session,
#    with token authentication (RAY_AUTH_MODE=token and a fresh RAY_AUTH_TOKEN, as the
#    README's cluster recipe says), one CPU each.
# 2. Checks that a sweep without the token is refused with one line and exit code 2.
# 3. Runs `python -m sim.sweep experiment=conditions executor=ray ray_address=...` and, once
#    its first chunk is written, kills every process of the worker node (SIGKILL). Ray
#    retries the lost chunks on the head; if the sweep stops anyway (exit 1, "run the same
#    command again"), the same command is run again once, as a user would.
# 4. Compares runs.parquet with the local executor's table of the same sweep (equal in
#    every value) and prints the invocations metadata.json records.
#
# Only the processes this script starts are stopped (by their session ids); nothing is
# left in ~/.ray. Exit code 0 when the tables are identical.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
RAY="$(dirname "$PY")/ray"
JOB=${JOB:-sweep}
RUNS=${RUNS:-30000}
SETS=${SETS:-600}
WORK=$(mktemp -d /tmp/ray_two_node.XXXXXX)
SESSIONS=()

say() { echo "ray_two_node_check: $*" >&2; }

stop_sessions() {
  for sig in TERM KILL; do
    for sid in "${SESSIONS[@]}"; do
      for pid in $(ps -o pid= -s "$sid" 2>/dev/null || true); do kill -"$sig" "$pid" 2>/dev/null || true; done
    done
    if [ "$sig" = TERM ]; then sleep 3; fi
  done
}
cleanup() { stop_sessions || true; rm -rf "$WORK"; }
trap cleanup EXIT

free_ports() {  # N free TCP ports on 127.0.0.1
  "$PY" - "$1" <<'EOF'
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

start_node() {  # start_node NAME ARGS... : a Ray node in its own session; sets LAST_SID
  local name=$1; shift
  read -r p_nm p_om p_al p_ag p_re p_me <<<"$(free_ports 6)"
  setsid "$RAY" start --block --num-cpus=1 --disable-usage-stats --node-ip-address=127.0.0.1 \
    --node-manager-port="$p_nm" --object-manager-port="$p_om" --dashboard-agent-listen-port="$p_al" \
    --dashboard-agent-grpc-port="$p_ag" --runtime-env-agent-port="$p_re" --metrics-export-port="$p_me" \
    "$@" >"$WORK/$name.log" 2>&1 &
  local pid=$!
  disown "$pid"
  sleep 1
  LAST_SID=$(ps -o sid= -p "$pid" | tr -d ' ')
  SESSIONS+=("$LAST_SID")
}

alive_nodes() {
  "$PY" - "$ADDRESS" <<'EOF' 2>/dev/null || echo 0
import sys, ray
ray.init(address=sys.argv[1], log_to_driver=False)
print(sum(1 for n in ray.nodes() if n["Alive"]))
EOF
}

export RAY_AUTH_MODE=token
RAY_AUTH_TOKEN=$("$PY" -c "import secrets; print(secrets.token_hex(32))")
export RAY_AUTH_TOKEN
export HOME="$WORK/home" && mkdir -p "$HOME"      # keep Ray's files out of the real home
export CI=1

read -r P_GCS <<<"$(free_ports 1)"
ADDRESS="127.0.0.1:$P_GCS"
say "starting the head at $ADDRESS and a worker node (work folder $WORK)"
start_node head --head --port="$P_GCS" --include-dashboard=false \
  --temp-dir="$WORK/ray"
HEAD_SID=$LAST_SID
for _ in $(seq 60); do [ "$(alive_nodes)" -ge 1 ] && break; sleep 2; done
start_node worker --address="$ADDRESS"
WORKER_SID=$LAST_SID
for _ in $(seq 60); do [ "$(alive_nodes)" -ge 2 ] && break; sleep 2; done
NODES=$(alive_nodes)
[ "$NODES" -ge 2 ] || { say "the worker node did not join (alive nodes: $NODES)"; tail -20 "$WORK"/*.log; exit 1; }
say "cluster up: $NODES nodes (head session $HEAD_SID, worker session $WORKER_SID)"

if [ "$JOB" = calibration ]; then
  CHUNK=${CHUNK:-20}
  SWEEP=(-m sim.calibrate "sets=$SETS" replications=4 "chunk_sets=$CHUNK" workers=2 progress=false
         screening.enabled=false)
  TABLES="posterior.parquet prior_sets.parquet"
  PREFIX=calibrate
  TOTAL=$((SETS / CHUNK))
else
  CHUNK=${CHUNK:-1000}
  SWEEP=(-m sim.sweep experiment=conditions "runs=$RUNS" "chunk_size=$CHUNK" workers=2 progress=false)
  TABLES="runs.parquet"
  PREFIX=sweep
  TOTAL=$((RUNS / CHUNK))
fi

say "a $JOB without the cluster's token must be refused in one line (exit 2)"
set +e
env -u RAY_AUTH_TOKEN "$PY" "${SWEEP[@]}" executor=ray "ray_address=$ADDRESS" "out=$WORK/no_token" \
  >"$WORK/no_token.out" 2>"$WORK/no_token.err"
rc=$?
set -e
grep -v "^\s*$" "$WORK/no_token.err" | tail -3 >&2
[ "$rc" -eq 2 ] || { say "expected exit 2 without the token, got $rc"; exit 1; }
grep -q "^$PREFIX error: ray_address = .*token" "$WORK/no_token.err" || { say "no refusal naming the token"; exit 1; }
[ "$(grep -c . "$WORK/no_token.err")" -eq 1 ] || { say "the refusal is not one line"; exit 1; }

say "the local reference: executor=local"
"$PY" "${SWEEP[@]}" executor=local "out=$WORK/local"

say "the cluster $JOB; the worker node is killed once the first chunk is written"
set +e
"$PY" "${SWEEP[@]}" executor=ray "ray_address=$ADDRESS" "out=$WORK/cluster" >"$WORK/cluster.out" 2>"$WORK/cluster.err" &
SWEEP_PID=$!
for _ in $(seq 3000); do
  compgen -G "$WORK/cluster/chunks/*.parquet" >/dev/null && break
  kill -0 "$SWEEP_PID" 2>/dev/null || break
  sleep 0.1
done
CHUNKS_BEFORE=$(ls "$WORK/cluster/chunks" 2>/dev/null | grep -c parquet || true)
for pid in $(ps -o pid= -s "$WORKER_SID"); do kill -9 "$pid" 2>/dev/null; done
say "killed the worker node's processes (session $WORKER_SID) with $CHUNKS_BEFORE chunk(s) of $TOTAL written"
wait "$SWEEP_PID"
rc=$?
set -e
tail -3 "$WORK/cluster.err" >&2
if [ "$rc" -ne 0 ]; then
  say "the $JOB stopped with exit $rc; running the same command again (it resumes)"
  "$PY" "${SWEEP[@]}" executor=ray "ray_address=$ADDRESS" "out=$WORK/cluster"
fi
say "alive nodes after the kill: $(alive_nodes)"

"$PY" - "$WORK/local" "$WORK/cluster" $TABLES <<'EOF'
import json, sys
from pathlib import Path
import pandas as pd
local, cluster = Path(sys.argv[1]), Path(sys.argv[2])
for name in sys.argv[3:]:
    a, b = pd.read_parquet(local / name), pd.read_parquet(cluster / name)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    same = (local / name).read_bytes() == (cluster / name).read_bytes()
    print(f"ray_two_node_check: identical tables: {name}: {len(a)} rows, {a.shape[1]} columns"
          f"{' (the same bytes)' if same else ''}", file=sys.stderr)
if (cluster / "metadata.json").exists():
    meta = json.loads((cluster / "metadata.json").read_text())
    for inv in meta["invocations"]:
        print(f"ray_two_node_check: invocation {inv['id']}: executor={inv['executor']} engine={inv['engine']} "
              f"workers={inv['workers']} chunks={inv['chunks']} runs={inv['runs_computed']}", file=sys.stderr)
EOF
say "OK"
