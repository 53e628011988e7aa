#!/usr/bin/env bash
# The GPU check, run from the bundle that scripts/build-gpu-bundle.sh makes (it sits at the
# bundle's top as gpu-check.sh); it uses the bundle's Java runtime and nothing installed but the
# GPU driver:
#
#   ./gpu-check.sh [bench flags, e.g. --iters 3 --repeats 3 --warmup 1 on a slow device]
#
#   1. prints `devices`. If no GPU is listed and the NVIDIA OpenCL library (libnvidia-opencl.so.1)
#      is on the machine, it is often there without the ICD file that tells the loader about it:
#      the check writes one into a temporary directory, points the loader at it (OCL_ICD_VENDORS)
#      and lists the devices again. Without a loader on the machine, the bundle's lib/ has one.
#   2. runs the OpenCL parity suite (dqnengine.bench.OpenClParityCheck: every backend op and a
#      Nature train step against the reference backend) on the first GPU, else on device 0;
#   3. runs `bench --device opencl:N`, one line per figure;
#   4. runs clblast-check.jar (dqnengine.benchmarks.ClBlastGemmCheck): our gemm against CLBlast's
#      SGEMM on the same device, one line per Nature product with both GFLOP/s and the ratio. It
#      informs and does not change the exit code (CLBlast is an outside library: where it cannot
#      load or run, it says so in one line).
# Exit code: 0 when parity passed and the benchmark ran; 1 when parity failed; 2 when there is no
# OpenCL device at all; otherwise the benchmark's.
# NVIDIA_OPENCL_DIRS (colon-separated) adds directories to look in for libnvidia-opencl.so.1.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
java="$here/runtime/bin/java"
jar="$here/dqn-engine.jar"
if [ ! -x "$java" ] || [ ! -f "$jar" ]; then
  echo "gpu-check: run the copy in the bundle (scripts/build-gpu-bundle.sh makes it under target/dqn-engine-gpu)" >&2
  exit 2
fi

# The bundle's java, with the incubating Vector API the CPU kernels use and the JDK's
# signal-chaining library preloaded (as the dqn-engine launcher does), so that an OpenCL driver
# cannot take over the JVM's signal handlers. Its notice about incubating modules is left out.
run_java() {
  LD_PRELOAD="$here/runtime/lib/libjsig.so${LD_PRELOAD:+ $LD_PRELOAD}" DQN_ENGINE_NO_RELAUNCH=1 \
    "$java" --add-modules jdk.incubator.vector "$@" 2> >(grep -v '^WARNING: Using incubator modules' >&2)
}

ldconfig_list() {
  local ldc
  ldc=$(command -v ldconfig || echo /sbin/ldconfig)
  [ -x "$ldc" ] && "$ldc" -p 2>/dev/null
}

# A library by file name in the standard places, then in the loader's cache; prints its path.
find_library() {
  local name=$1 d
  local IFS=:
  for d in ${NVIDIA_OPENCL_DIRS:-} /usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu /usr/lib64 /lib64 /usr/local/nvidia/lib64 \
           /usr/local/nvidia/lib /usr/lib /usr/local/lib; do
    if [ -n "$d" ] && [ -e "$d/$name" ]; then echo "$d/$name"; return 0; fi
  done
  d=$(ldconfig_list | awk -v n="$name" '$1 == n { print $NF; exit }')
  [ -n "$d" ] && [ -e "$d" ] && echo "$d"
}

if find_library libOpenCL.so.1 >/dev/null; then
  echo "gpu-check: OpenCL loader: this machine's ($(find_library libOpenCL.so.1))"
else
  export LD_LIBRARY_PATH="$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  echo "gpu-check: OpenCL loader: the bundle's (lib/libOpenCL.so.1; the machine has none)"
fi

devices() {
  listing=$(run_java -jar "$jar" devices 2>&1)
  status=$?
  echo "$listing"
  return $status
}

devices
if ! grep -q '\[GPU,' <<<"$listing"; then
  nvidia=$(find_library libnvidia-opencl.so.1)
  if [ -n "$nvidia" ]; then
    icd_dir=$(mktemp -d)
    trap 'rm -rf "$icd_dir"' EXIT
    echo "$nvidia" > "$icd_dir/nvidia.icd"
    echo "gpu-check: no GPU listed; $nvidia is here: listing again with the loader pointed at it (OCL_ICD_VENDORS=$icd_dir)"
    before=$listing
    export OCL_ICD_VENDORS="$icd_dir"
    devices
    if ! grep -q '\[GPU,' <<<"$listing" && grep -q '^ *opencl:' <<<"$before"; then
      echo "gpu-check: still no GPU; going on with the devices listed first"
      unset OCL_ICD_VENDORS
      listing=$before
    fi
  fi
fi

device=$(grep -m1 '\[GPU,' <<<"$listing" | sed -n 's/^ *opencl:\([0-9]*\) .*/\1/p')
if [ -z "$device" ]; then
  if ! grep -q '^ *opencl:0 ' <<<"$listing"; then
    echo "gpu-check: no OpenCL device at all; nothing to check"
    exit 2
  fi
  device=0
  echo "gpu-check: no GPU found; checking opencl:0 ($(grep -m1 '^ *opencl:0 ' <<<"$listing" | sed 's/^ *opencl:0  //; s/  \[.*//')) instead"
fi

run_java -cp "$jar" dqnengine.bench.OpenClParityCheck "opencl:$device"
parity=$?
run_java -jar "$jar" bench --device "opencl:$device" "$@"
bench=$?
if [ -f "$here/clblast-check.jar" ]; then
  run_java -cp "$jar:$here/clblast-check.jar" dqnengine.benchmarks.ClBlastGemmCheck "opencl:$device" \
    || echo "gpu-check: note: clblast-check exited with $? (it does not change this check's result)"
else
  echo "gpu-check: note: no clblast-check.jar in this bundle; our gemm was not compared with CLBlast"
fi

if [ $parity -ne 0 ]; then
  echo "gpu-check: FAIL: parity on opencl:$device (exit $parity)"
  exit 1
fi
if [ $bench -ne 0 ]; then
  echo "gpu-check: FAIL: bench on opencl:$device (exit $bench)"
  exit $bench
fi
echo "gpu-check: PASS: parity and bench on opencl:$device"
