#!/usr/bin/env python3
"""Does the curiosity reward pay for new places? Reads bench-explore --trace files (one JSON line per tick) and
sets the reward of ticks spent in a cell for the first time against that of all other ticks.

Usage: python3 bench/first_visit_reward.py TRACE...
Prints one line per trace: tick counts, the median and mean reward of each group, and the ratio of medians.
"""
import json
import statistics
import sys


def split(path):
    seen, first, other = set(), [], []
    with open(path) as f:
        for line in f:
            tick = json.loads(line)
            cell = tuple(tick["cell"])
            new = cell not in seen
            seen.add(cell)
            if tick["reward"] is not None:
                (first if new else other).append(tick["reward"])
    return first, other


for path in sys.argv[1:]:
    first, other = split(path)
    if not first or not other:
        print(f"{path}: too few rewarded ticks")
        continue
    mf, mo = statistics.median(first), statistics.median(other)
    print(f"{path}: first visits {len(first)} ticks, other {len(other)}; median {mf:.3g} / {mo:.3g} "
          f"(ratio {mf / mo:.2f}); mean {statistics.mean(first):.3g} / {statistics.mean(other):.3g}")
