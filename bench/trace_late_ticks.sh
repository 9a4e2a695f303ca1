#!/bin/bash
# One `bench --seconds 60 env=sim` with CPU 0's scheduler and irq events traced (needs root and tracefs), then
# what ran on CPU 0 before each of the bench's latest tick starts. Usage: bench/trace_late_ticks.sh OUT_PREFIX
# [JAR]. Writes OUT_PREFIX.json (the bench's last line), .ktrace, .offset, .gc, .sp; prints the windows.
set -e
OUT=$1; JAR=${2:-target/ami.jar}
T=/sys/kernel/tracing
mountpoint -q $T || mount -t tracefs nodev $T
EVENTS="sched/sched_switch sched/sched_waking sched/sched_wakeup irq/irq_handler_entry irq/irq_handler_exit irq/softirq_entry irq/softirq_exit"
echo 0 > $T/tracing_on; echo > $T/trace
echo mono > $T/trace_clock          # the clock of System.nanoTime
echo 1 > $T/tracing_cpumask         # CPU 0, the agent's
echo 16384 > $T/buffer_size_kb
for e in $EVENTS; do echo 1 > $T/events/$e/enable; done
taskset -c 1 cat $T/trace_pipe > $OUT.ktrace &
READER=$!
python3 -c "import time; print(time.clock_gettime(time.CLOCK_REALTIME) - time.clock_gettime(time.CLOCK_MONOTONIC))" > $OUT.offset
echo 1 > $T/tracing_on
java -Dai.djl.offline=true -Xlog:gc:file=$OUT.gc -Xlog:safepoint:file=$OUT.sp -jar $JAR bench --seconds 60 env=sim \
  | grep '^{' | tail -1 > $OUT.json
echo 0 > $T/tracing_on
sleep 1; kill $READER
for e in $EVENTS; do echo 0 > $T/events/$e/enable; done
echo 3 > $T/tracing_cpumask
python3 "$(dirname "$0")/late_tick_windows.py" $OUT
