"""CPU 0's kernel events in the 20 ms before each of a bench run's latest tick ends (bench/trace_late_ticks.sh).

Usage: late_tick_windows.py OUT_PREFIX [MS_BEFORE]. Reads OUT_PREFIX.json, .ktrace and .offset.
"""
import bisect
import json
import re
import sys

prefix = sys.argv[1]
before = float(sys.argv[2]) / 1e3 if len(sys.argv) > 2 else 0.020
result = json.load(open(prefix + '.json'))
offset = float(open(prefix + '.offset').read())  # wall clock minus monotonic, seconds
line = re.compile(r'^\s*(.+?)-(\d+)\s+\[(\d+)\]\s+\S+\s+(\d+\.\d+): (\w+): (.*)$')
events = []
for text in open(prefix + '.ktrace', errors='replace'):
    m = line.match(text)
    if m:
        events.append((float(m.group(4)), m.group(1).strip() + '-' + m.group(2), m.group(5), m.group(6)))
times = [e[0] for e in events]
print('%d events' % len(events))
for late in result['tick_late_starts']:
    end = late['at_ms'] / 1e3 - offset  # at_ms is the wall clock when that tick ended
    print('=== %.2f ms late; the tick ended at %.4f (monotonic)' % (late['lateness_ms'], end))
    lo, hi = bisect.bisect_left(times, end - before), bisect.bisect_right(times, end + 0.002)
    for t, current, name, rest in events[lo:hi]:
        print('  %+8.3f ms  %-24s %-14s %s' % ((t - end) * 1e3, current, name, rest[:120]))
