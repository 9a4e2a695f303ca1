#!/usr/bin/env python3
"""Known answers the project adds to curiosity.json, computed in plain float64 Python (no torch, no numpy), from the
definitions in docs/models.md, independently of the Java code:

  ppo_diagnostics   for the `ppo` section's inputs: entropy per action part, clip fraction, approximate KL
                    (k3: mean of r - 1 - log r), and the total loss as the runtime weighs it by default
                    (policy + 0.25 * unclipped mean squared value error - 0.001 * entropy)
  reward_normaliser the running std of the discounted return over two rollouts (Burda et al. 2018), the
                    normalised and clipped rewards of each, and the state after them

Run from this folder: python3 generate_extra.py   (rewrites the two sections of curiosity.json in place)
"""
import json
import math

with open("curiosity.json") as f:
    golden = json.load(f)

# ---- ppo_diagnostics -------------------------------------------------------------------------------------
p = golden["ppo"]
sizes = p["head_sizes"]
batch = len(p["actions"])
clip = p["clip"]
logp = []       # batch x parts
entropy = []    # batch x parts
for s in range(batch):
    row_logp, row_h = [], []
    for h, n in enumerate(sizes):
        logits = p["logits_per_head"][h][s * n:(s + 1) * n]
        top = max(logits)
        lse = top + math.log(sum(math.exp(x - top) for x in logits))
        logs = [x - lse for x in logits]
        row_logp.append(logs[p["actions"][s][h]])
        row_h.append(-sum(math.exp(l) * l for l in logs))
    logp.append(row_logp)
    entropy.append(row_h)
old = [p["old_logp"][s * 5:(s + 1) * 5] for s in range(batch)]
ratios = [[math.exp(logp[s][h] - old[s][h]) for h in range(5)] for s in range(batch)]
cells = [(s, h) for s in range(batch) for h in range(5)]
clip_frac = sum(1 for s, h in cells if abs(ratios[s][h] - 1) > clip) / len(cells)
approx_kl = sum(ratios[s][h] - 1 - math.log(ratios[s][h]) for s, h in cells) / len(cells)
entropy_per_part = [sum(entropy[s][h] for s in range(batch)) / batch for h in range(5)]
adv = p["advantages_normalised"]
policy = -sum(min(ratios[s][h] * adv[s], max(1 - clip, min(1 + clip, ratios[s][h])) * adv[s])
              for s, h in cells) / len(cells)
mse = sum((v - r) ** 2 for v, r in zip(p["values"], p["returns"])) / batch
ent = sum(entropy_per_part) / 5
golden["ppo_diagnostics"] = {
    "about": "for the ppo section's inputs; generate_extra.py",
    "entropy_per_part": entropy_per_part,
    "clip_frac": clip_frac,
    "approx_kl": approx_kl,
    "policy_loss": policy,
    "value_loss_unclipped_mse": mse,
    "vf_coef": 0.25,
    "ent_coef": 0.001,
    "total_unclipped": policy + 0.25 * mse - 0.001 * ent,
}

# ---- reward_normaliser -------------------------------------------------------------------------------------
gamma, clip_r = 0.9, 2.0
rollouts = [[0.5, 1.5, 0.25, 3.0], [10.0, 0.0, 0.75]]
count, mean, var, ret = 1e-4, 0.0, 1.0, 0.0
scaled = []
for rewards in rollouts:
    returns = []
    for r in rewards:
        ret = gamma * ret + r
        returns.append(ret)
    n = len(returns)
    bm = sum(returns) / n
    bv = sum((x - bm) ** 2 for x in returns) / n
    delta = bm - mean
    tot = count + n
    mean, var, count = mean + delta * n / tot, (var * count + bv * n + delta * delta * count * n / tot) / tot, tot
    std = math.sqrt(var + 1e-8)
    scaled.append([max(-clip_r, min(clip_r, r / std)) for r in rewards])
golden["reward_normaliser"] = {
    "about": "running std of the discounted return, merged per rollout from count 1e-4, mean 0, var 1; "
             "rewards / std clipped to +-clip; generate_extra.py",
    "gamma": gamma,
    "clip": clip_r,
    "rollouts": rollouts,
    "scaled": scaled,
    "state_after": {"discounted": ret, "count": count, "mean": mean, "variance": var},
}

with open("curiosity.json", "w") as f:
    json.dump(golden, f, indent=None, separators=(", ", ": "))
    f.write("\n")
print(json.dumps({k: golden[k] for k in ("ppo_diagnostics", "reward_normaliser")}, indent=1))
