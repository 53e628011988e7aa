#!/usr/bin/env bash
# Experience through the cluster on one machine (loopback): a learner and N actor JVMs on Pong.
#
#   benchmarks/cluster-loopback.sh ACTORS SECONDS ROM_DIR [learner flags...]
#
# Starts `cluster learner --env ale:pong` (Nature preset unless flags say otherwise) and ACTORS
# actors, waits 20 s for them to warm up, then reads the learner's progress.csv at the start and
# the end of a SECONDS-long window and prints: agent steps/s arriving at the learner, updates/s,
# and each actor's bytes per agent step on the wire (its last line). Everything is stopped with
# SIGTERM at the end. To time the transport alone, pass --learning-starts larger than the run
# (no updates); to time the learner, leave the preset's update rate.
set -euo pipefail
actors=${1:?actors}; seconds=${2:?seconds}; roms=${3:?rom dir}; shift 3
here=$(cd "$(dirname "$0")/.." && pwd)
jar="$here/target/dqn-engine.jar"
[ -f "$jar" ] || (cd "$here" && mvn -B -q package -DskipTests)
work=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
pids=()
cleanup() {   # actors first, so that each prints its last line while the learner still answers
  for ((k = ${#pids[@]} - 1; k >= 0; k--)); do kill -TERM "${pids[k]}" 2>/dev/null || true; sleep 0.2; done; wait 2>/dev/null || true
}
trap cleanup EXIT
java -jar "$jar" cluster learner --env ale:pong --rom-dir "$roms" --steps 100000000 --log-every 500 --checkpoint-every 100000000 \
  --actors "$actors" --port "$port" --run-dir "$work/run" "$@" > "$work/learner.log" 2>&1 &
pids+=($!)
until grep -q "actors join with" "$work/learner.log"; do sleep 0.5; done
for i in $(seq 0 $((actors - 1))); do
  java -jar "$jar" cluster actor --join "127.0.0.1:$port" --rom-dir "$roms" --threads 1 > "$work/actor$i.log" 2>&1 &
  pids+=($!)
done
sleep 20
row() { tail -n 1 "$work/run/progress.csv"; }
t0=$(date +%s.%N); r0=$(row)
sleep "$seconds"
t1=$(date +%s.%N); r1=$(row)
python3 - "$t0" "$t1" "$r0" "$r1" "$actors" <<'PY'
import sys
t0, t1 = float(sys.argv[1]), float(sys.argv[2])
s0, u0 = map(float, sys.argv[3].split(",")[:2]); s1, u1 = map(float, sys.argv[4].split(",")[:2])
dt = t1 - t0
print(f"actors {sys.argv[5]}: {(s1 - s0) / dt:.0f} agent steps/s at the learner, {(u1 - u0) / dt:.1f} updates/s over {dt:.0f} s")
PY
cleanup
trap - EXIT
for i in $(seq 0 $((actors - 1))); do grep "bytes per step" "$work/actor$i.log" || tail -n 2 "$work/actor$i.log"; done
rm -rf "$work"
