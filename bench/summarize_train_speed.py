#!/usr/bin/python3
"""Medians per run name of bench/train_speed_ab.sh output files. usage: summarize_train_speed.py FILE..."""
import re, sys, json, statistics as st, collections
rows = collections.defaultdict(list)
for f in sys.argv[1:]:
    for line in open(f):
        if line.strip() == 'done': continue
        parts = line.split()
        name = parts[1]; load = float(parts[3].split('=')[1])
        rest = line.split(parts[3],1)[1].strip()
        if rest.startswith('{'):
            j = json.loads(rest)
            d = dict(step=j['step_ms_p50'], p90=j['step_ms_p90'], cpu=j['step_cpu_ms_p50'], fwd=j['forward_ms_p50'],
                     fwdm=j.get('forward_model_ms_p50', float('nan')), faults=j['faults_per_step'], sps=j['samples_per_s'])
        else:
            d = dict(step=float(re.search(r'step_ms_p50 ([\d.]+)', rest).group(1)), cpu=float(re.search(r'step_cpu_ms_p50 ([\d.]+)', rest).group(1)),
                     faults=float(re.search(r'faults_per_step (\d+)', rest).group(1)), fwd=float(re.search(r'forward_ms_p50 ([\d.]+)', rest).group(1)))
        d['load'] = load
        rows[name].append(d)
keys = ['load','step','p90','cpu','faults','fwd','fwdm','sps']
print('| run | n | ' + ' | '.join(keys) + ' | per-run step |')
print('|' + '---|' * (len(keys) + 3))
for name, ds in rows.items():
    med = [st.median([d[k] for d in ds if k in d]) if any(k in d for d in ds) else float('nan') for k in keys]
    print(f'| {name} | {len(ds)} | ' + ' | '.join(f'{v:.3g}' if v < 10 else f'{v:.0f}' for v in med) + ' | ' + ', '.join(f"{d['step']:.0f}" for d in ds) + ' |')
