#!/usr/bin/python3
"""Medians per run name of bench/curiosity_speed_ab.sh output. usage: summarize_curiosity_speed.py FILE..."""
import collections
import json
import statistics as st
import sys

rows = collections.defaultdict(list)
for f in sys.argv[1:]:
    for line in open(f):
        parts = line.split(None, 3)
        if len(parts) < 4 or not parts[3].strip().startswith('{'):
            continue
        j = json.loads(parts[3])
        j['load'] = float(parts[2].split('=')[1])
        rows[parts[1]].append(j)
keys = ['load', 'step_ms_p50', 'step_cpu_ms_p50', 'faults_per_step', 'forward_ms_p50', 'brain_tick_ms_p50']
print('| run | n | ' + ' | '.join(keys) + ' | per-run step ms |')
print('|' + '---|' * (len(keys) + 3))
for name in sorted(rows, key=lambda n: (n.split('_')[-1], n)):
    ds = rows[name]
    cells = []
    for k in keys:
        vals = [d[k] for d in ds if d.get(k) is not None]
        cells.append(f'{st.median(vals):.3g}' if vals else '–')
    print(f'| {name} | {len(ds)} | ' + ' | '.join(cells) + ' | ' + ', '.join(f"{d['step_ms_p50']:.1f}" for d in ds) + ' |')
