#!/bin/bash
# Interleaved A/B of training speed: PyTorch in Python vs `ami bench-train --model reference`, 1 and 2 threads.
# usage: bench/train_speed_ab.sh [ROUNDS] [STEPS] [OUTFILE] [JAR]
# Each line: name, 1-minute load before the run, and the figures. Take medians over rounds.
cd "$(dirname "$0")/.."
R=${1:-3}; S=${2:-40}; OUT=${3:-/dev/stdout}; JAR=${4:-target/ami.jar}
py() { /usr/bin/python3 bench/torch_ae_bench.py "$1" "$S" 2>&1 | grep -E "step_ms_p50|forward_ms_p50" | tr '\n' ' '; }
djl() { java -jar "$JAR" bench-train --model reference --threads "$1" --steps "$S" 2>/dev/null | tail -1; }
line() { echo "$(date +%H:%M:%S) $1 load=$(cut -d' ' -f1 /proc/loadavg) $($2 "$3")" >> "$OUT"; }
for r in $(seq 1 "$R"); do
  line "py_t1  r$r" py 1
  line "djl_t1 r$r" djl 1
  line "py_t2  r$r" py 2
  line "djl_t2 r$r" djl 2
done
