#!/usr/bin/env bash
# One measuring window for the CPU figures in README "Measured here": two builds of dqn-engine
# alternated in one window, so that the host's drift (10-20% between processes minutes apart)
# falls on both alike. Run from the repository root with nothing else running:
#
#   scripts/cpu-window.sh OLD.jar NEW.jar > window.txt
#
# OLD.jar and NEW.jar are copies of target/dqn-engine.jar built at the two commits. The DJL peer
# (../shared/peers/java, built with `mvn -q -B package -DskipTests` there) and the Pong ROM
# (../shared/roms) are used when present.
set -u
OLD=${1:?usage: scripts/cpu-window.sh OLD.jar NEW.jar}
NEW=${2:?usage: scripts/cpu-window.sh OLD.jar NEW.jar}
PEERS=../shared/peers/java
ROMS=../shared/roms
filter() { grep -v "A.L.E\|Stella\|help screen\|ale.cfg\|Running ROM\|Random seed\|Game console\|ROM file\|Cart \|Bankswitch\|mismatched MD5\|^$"; }
echo "### $(date -u) old=$OLD new=$NEW load: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in 1 2 3; do
  for v in OLD NEW; do
    echo "### round $round $v: bench --breakdown --threads 2"
    java -jar "${!v}" bench --breakdown --threads 2 2>&1 | filter
  done
done
for round in 1 2; do
  if [ -d "$PEERS/target/classes" ]; then
    echo "### round $round: djl-pytorch peer"
    (cd "$PEERS" && OMP_NUM_THREADS=2 MKL_NUM_THREADS=2 java -Xmx4g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
        -cp "target/classes:target/lib/*" peers.DjlTorchStep --threads 2 2>/dev/null | grep -v "^$")
  fi
  for v in NEW OLD; do
    echo "### round $round $v: bench --threads 2"
    java -jar "${!v}" bench --threads 2 2>&1 | filter
  done
done
for v in OLD NEW; do
  echo "### $v: bench --threads 1"
  java -jar "${!v}" bench --threads 1 2>&1 | filter
done
echo "### NEW: bench --breakdown --threads 1"
java -jar "$NEW" bench --breakdown --threads 1 2>&1 | filter
for round in 1 2 3; do
  for v in OLD NEW; do
    echo "### round $round $v: bench loop --env minatar:breakout --threads 1 --steps 10000"
    java -jar "${!v}" bench loop --env minatar:breakout --threads 1 --steps 10000 2>&1 | filter | grep -i "agent_steps"
  done
done
if [ -d "$ROMS" ]; then
  for v in NEW OLD; do
    echo "### $v: bench loop --env ale:pong --threads 2"
    java -jar "${!v}" bench loop --env ale:pong --rom-dir "$ROMS" --threads 2 --steps 3000 2>&1 | filter | grep -i "agent\|steps/s"
  done
fi
echo "### done $(date -u)"
