#!/usr/bin/env bash
# The train step against PyTorch 2.5.1 (DJL), as a ratio measured in the same window: the DJL peer
# and `bench --threads 2` alternated ROUNDS times (default 4; which of the two runs first swaps every
# round), then each round's ratio of the two medians and the median of those ratios, for the step
# and for conv1's forward pass. Run from the repository root with nothing else running:
#
#   scripts/peer-ratio.sh [JAR] [ROUNDS] [WARMUP] > ratio.txt
#
# JAR defaults to target/dqn-engine.jar. WARMUP (default 10, the peers' own default) is the untimed
# calls before each figure, given to both sides (--warmup): 10 train steps leave the JVM's compiler
# still at work on our kernels during the timed blocks (blocks of 23-25 ms among 12-14 ms ones);
# 300 measures both at their steady state, the speed of a long run. The peer is ../shared/peers/java, built once with
# `(cd ../shared/peers/java && mvn -q -B package -DskipTests)`. The host's drift between
# processes (10-20% here, minutes apart) moves both sides, so quote the median ratio, not one round.
set -euo pipefail
JAR=${1:-target/dqn-engine.jar}
ROUNDS=${2:-4}
WARMUP=${3:-10}
PEERS=../shared/peers/java
if ! [[ $ROUNDS =~ ^[1-9][0-9]*$ ]]; then echo "peer-ratio: ROUNDS must be a positive integer, got '$ROUNDS'" >&2; exit 2; fi
if ! [[ $WARMUP =~ ^[0-9]+$ ]]; then echo "peer-ratio: WARMUP must be a whole number, got '$WARMUP'" >&2; exit 2; fi
if [ ! -f "$JAR" ]; then echo "peer-ratio: no jar at $JAR (build with: mvn -B package -DskipTests)" >&2; exit 2; fi
if [ ! -d "$PEERS/target/classes" ]; then
  echo "peer-ratio: the DJL peer is not built (run: (cd $PEERS && mvn -q -B package -DskipTests))" >&2; exit 2
fi
PEER_LOG=$(mktemp /tmp/peer-ratio-peer.XXXXXX)
OURS_LOG=$(mktemp /tmp/peer-ratio-bench.XXXXXX)
# field NAME TEXT SOURCE LOG: the median of figure NAME in TEXT, or a clear error naming SOURCE and its LOG
field() {
  local v
  v=$(grep "^$1 " <<<"$2" | sed -E 's/.*median=([0-9.]+).*/\1/' | head -1 || true)
  if ! [[ $v =~ ^[0-9]+(\.[0-9]+)?$ ]] || [ "$v" = 0 ] || [[ $v =~ ^0\.0*$ ]]; then
    echo "peer-ratio: round $round: no $1 in the output of $3 (its output: $4)" >&2; exit 1
  fi
  echo "$v"
}
run_peer() {
  (cd "$PEERS" && OMP_NUM_THREADS=2 MKL_NUM_THREADS=2 java -Xmx4g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
      -cp "target/classes:target/lib/*" peers.DjlTorchStep --threads 2 --warmup "$WARMUP") >"$PEER_LOG" 2>&1 \
    || { echo "peer-ratio: round $round: the DJL peer failed (its output: $PEER_LOG)" >&2; exit 1; }
  cat "$PEER_LOG"
}
run_ours() {
  java -jar "$JAR" bench --threads 2 --warmup "$WARMUP" >"$OURS_LOG" 2>&1 \
    || { echo "peer-ratio: round $round: bench failed (its output: $OURS_LOG)" >&2; exit 1; }
  cat "$OURS_LOG"
}
echo "# $(date -u) jar=$JAR rounds=$ROUNDS warmup=$WARMUP load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# round peer_step_ms ours_step_ms step_ratio peer_conv1_ms ours_conv1_ms conv1_ratio ours_peak_share"
ratios=(); conv=()
for round in $(seq 1 "$ROUNDS"); do
  if (( round % 2 )); then peer=$(run_peer); ours=$(run_ours); else ours=$(run_ours); peer=$(run_peer); fi
  ps=$(field train_step_ms "$peer" "the DJL peer" "$PEER_LOG"); os=$(field train_step_ms "$ours" bench "$OURS_LOG")
  pc=$(field conv1_fwd_ms "$peer" "the DJL peer" "$PEER_LOG"); oc=$(field conv1_fwd_ms "$ours" bench "$OURS_LOG")
  share=$(grep "^train_step_ms " <<<"$ours" | sed -E 's/.*peak_share=([0-9]+%).*/\1/' | head -1 || true)
  r=$(awk -v a="$os" -v b="$ps" 'BEGIN { printf "%.3f", a / b }')
  c=$(awk -v a="$oc" -v b="$pc" 'BEGIN { printf "%.3f", a / b }')
  ratios+=("$r"); conv+=("$c")
  echo "$round $ps $os $r $pc $oc $c $share"
done
rm -f "$PEER_LOG" "$OURS_LOG"
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo "median step ratio (ours / PyTorch): $(median "${ratios[@]}")"
echo "median conv1 forward ratio (ours / PyTorch): $(median "${conv[@]}")"
