#!/bin/bash
# Interleaved A/B of the curiosity models' training step: `ami bench-train --model M` against its PyTorch-in-Python
# peer (bench/torch_curiosity_bench.py M), stock and with the allocator settings the runtime gives itself.
# usage: bench/curiosity_speed_ab.sh [ROUNDS] [STEPS] [OUTFILE] [JAR]
# Each line: time, name, 1-minute load before the run, then the run's JSON. Summarise with
# bench/summarize_curiosity_speed.py OUTFILE.
cd "$(dirname "$0")/.."
R=${1:-3}; S=${2:-60}; OUT=${3:-/dev/stdout}; JAR=${4:-target/ami.jar}
TUNED="MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=1073741824 MALLOC_TOP_PAD_=67108864 MALLOC_ARENA_MAX=2"
py() { /usr/bin/python3 bench/torch_curiosity_bench.py "$1" 1 "$S" 2>/dev/null | tail -1; }
pyt() { env $TUNED /usr/bin/python3 bench/torch_curiosity_bench.py "$1" 1 "$S" 2>/dev/null | tail -1; }
djl() { java -jar "$JAR" bench-train --model "$1" --threads 1 --steps "$S" 2>/dev/null | tail -1; }
line() { echo "$(date +%H:%M:%S) $1 load=$(cut -d' ' -f1 /proc/loadavg) $($2 "$3")" >> "$OUT"; }
for r in $(seq 1 "$R"); do
  for m in vae fd policy; do
    line "py_$m" py "$m"
    line "djl_$m" djl "$m"
    line "pytuned_$m" pyt "$m"
  done
done
