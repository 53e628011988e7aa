#!/usr/bin/env bash
# Builds the GPU check's bundle: one directory (and a .tar.gz of it) that runs the OpenCL parity
# suite and the benchmark on a bare Linux x86_64 machine with a GPU driver and nothing else (no
# Java, no Maven, no network). Run it from anywhere in a checkout:
#
#   scripts/build-gpu-bundle.sh [maven flags, e.g. -o]
#
# It leaves, under target/:
#   dqn-engine-gpu/
#     gpu-check.sh        the check (scripts/gpu-check.sh): devices, parity, bench
#     dqn-engine.jar      the runnable jar without Hazelcast (mvn package -Pgpu-bundle; see pom.xml)
#     clblast-check.jar   our gemm against CLBlast (benchmarks/.../ClBlastGemmCheck and ClBlastSgemm,
#                         compiled against dqn-engine.jar) with JOCLBlast's classes and only its
#                         linux-x86_64 native libraries (libclblast.so, the JNI library): CLBlast is
#                         an outside anchor, never on the engine's path
#     runtime/            a Java runtime made by jlink with only the modules the jar uses (jdeps
#                         finds them), no debug information, no man pages, compressed
#     lib/libOpenCL.so.1  this machine's OpenCL ICD loader, for machines that have the vendor's
#                         driver but no loader (gpu-check.sh uses it only then)
#   dqn-engine-gpu.tar.gz the same, to copy elsewhere in one file
# and fails if the directory is over 60 MB. The runtime is the Java that runs Maven here
# (JAVA_HOME, or the javac on PATH); it needs its jmods (Debian: openjdk-17-jdk-headless has them).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out="$repo/target/dqn-engine-gpu"
limit=$((60 * 1000 * 1000))

jdk=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}
for tool in jlink jdeps; do
  [ -x "$jdk/bin/$tool" ] || { echo "build-gpu-bundle: no $tool in $jdk (set JAVA_HOME to a JDK 17 or newer)" >&2; exit 1; }
done
[ -d "$jdk/jmods" ] || { echo "build-gpu-bundle: $jdk has no jmods for jlink (Debian: apt install openjdk-17-jdk-headless)" >&2; exit 1; }

# The OpenCL ICD loader of this machine (ocl-icd on Debian), followed to the file itself.
loader=""
for d in /usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu /usr/lib64 /lib64 /usr/lib /usr/local/lib; do
  if [ -e "$d/libOpenCL.so.1" ]; then loader=$(readlink -f "$d/libOpenCL.so.1"); break; fi
done
[ -n "$loader" ] || { echo "build-gpu-bundle: no libOpenCL.so.1 here to ship (Debian: apt install ocl-icd-libopencl1)" >&2; exit 1; }

echo "build-gpu-bundle: mvn package -Pgpu-bundle ..."
(cd "$repo" && mvn -B -q package -DskipTests -Pgpu-bundle "$@")
jar="$repo/target/dqn-engine-gpu.jar"

# The CLBlast runner: JOCLBlast from the Maven repository (its JOCL is the engine's, in dqn-engine.jar).
blast="$repo/target/clblast-check"
rm -rf "$blast"
mkdir -p "$blast/classes"
(cd "$repo" && mvn -B -q org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy -Dartifact=org.jocl:jocl-blast:1.5.2 \
  -DoutputDirectory="$blast" "$@")
"$jdk/bin/javac" -nowarn --release 17 -d "$blast/classes" -cp "$jar:$blast/jocl-blast-1.5.2.jar" \
  "$repo/benchmarks/src/main/java/dqnengine/benchmarks/ClBlastSgemm.java" "$repo/benchmarks/src/main/java/dqnengine/benchmarks/ClBlastGemmCheck.java"
(cd "$blast/classes" && unzip -q "$blast/jocl-blast-1.5.2.jar" 'org/jocl/blast/*' lib/libJOCLBlast_1_5_2-linux-x86_64.so lib/linux/x86_64/libclblast.so)
"$jdk/bin/jar" --create --file "$blast/clblast-check.jar" -C "$blast/classes" .

modules=$("$jdk/bin/jdeps" --multi-release 17 --ignore-missing-deps --print-module-deps "$jar")
echo "build-gpu-bundle: modules (jdeps): $modules"
rm -rf "$out" "$out.tar.gz"
mkdir -p "$out/lib"
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files --compress=2 \
  --output "$out/runtime" 2>&1 | grep -v '^WARNING: Using incubator modules' || true
[ -x "$out/runtime/bin/java" ] || { echo "build-gpu-bundle: jlink made no runtime" >&2; exit 1; }
cp "$jar" "$out/dqn-engine.jar"
cp "$blast/clblast-check.jar" "$out/clblast-check.jar"
cp "$loader" "$out/lib/libOpenCL.so.1"
ln -s libOpenCL.so.1 "$out/lib/libOpenCL.so"          # the name a program that links -lOpenCL asks for
cp "$repo/scripts/gpu-check.sh" "$out/gpu-check.sh"
chmod +x "$out/gpu-check.sh"
tar -C "$(dirname "$out")" -czf "$out.tar.gz" "$(basename "$out")"

bytes=$(du -sb "$out" | cut -f1)
echo "build-gpu-bundle: $out: $((bytes / 1000000)).$(( (bytes / 10000) % 100 )) MB (runtime $(du -sm "$out/runtime" | cut -f1) MiB, jar $(du -sm "$out/dqn-engine.jar" | cut -f1) MiB, clblast-check.jar $(du -sb "$out/clblast-check.jar" | awk '{printf "%.1f MB", $1 / 1e6}'))"
echo "build-gpu-bundle: $out.tar.gz: $(du -sb "$out.tar.gz" | awk '{printf "%.1f MB", $1 / 1e6}')"
if [ "$bytes" -gt "$limit" ]; then
  echo "build-gpu-bundle: the bundle is over 60 MB" >&2
  exit 1
fi
