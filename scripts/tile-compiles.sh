#!/usr/bin/env bash
# How often C2 compiles the packed GEMM's kernel (VectorMicroKernel.tile, tile4, tile8) with its vector stores not
# intrinsified: the JIT hazard described at VectorSupport.firstUse. Runs a short
# `bench --breakdown --threads 2` N times, each in a fresh JVM with C2's inlining log of the tile,
# and prints per run the number of stores that failed to intrinsify (0 when every compilation of the
# tile was good; 24 or more when one was not) and the step's median.
#
#   scripts/tile-compiles.sh target/dqn-engine.jar 16
set -u
JAR=${1:?usage: scripts/tile-compiles.sh JAR [RUNS]}
RUNS=${2:-16}
bad=0
for i in $(seq 1 "$RUNS"); do
  log=$(java -XX:+UnlockDiagnosticVMOptions -XX:CompileCommand=quiet \
      '-XX:CompileCommand=PrintInlining,dqnengine.backend.cpu.VectorMicroKernel::tile*' \
      -jar "$JAR" bench --breakdown --threads 2 --repeats 1 --iters 10 --warmup 10 2>&1)
  failed=$(grep -c 'VectorSupport::store.*failed to inline (intrinsic)' <<< "$log")
  step=$(grep -o 'train_step_ms median=[0-9.]*' <<< "$log" | head -1)
  echo "run $i: stores not intrinsified: $failed; $step"
  [ "$failed" -gt 0 ] && bad=$((bad + 1))
done
echo "runs with a bad compilation of the tile: $bad of $RUNS"
