#!/usr/bin/python3
"""PyTorch-in-Python peers of the curiosity agent's three models: one training step each, as
`java -jar target/ami.jar bench-train --model vae|fd|policy` times it. Prints one JSON line.

usage: /usr/bin/python3 torch_curiosity_bench.py vae|vae-convt|fd|policy [threads] [steps]

The architectures are ami's (docs/models.md), written here independently of the Java code:
  SmallConvNet: Conv(3->32,k8,s4) LeakyReLU(.2) Conv(32->64,k4,s2) LeakyReLU Conv(64->64,k3) LeakyReLU
                flatten 3136 -> Linear(->512)
  vae:    encoder SmallConvNet + mu/sigma heads (softplus + 1e-7); decoder Linear(512->36) -> (1,6,6) ->
          sub-pixel upsamplings as in the runtime (conv k3 -> x2, conv k5 -> x2, conv k3 -> x4) to 96x96,
          centre crop 84, + per-pixel bias. Loss MSE + 0.01 KL, reparameterised. Adam 1e-3, batch 8.
  vae-convt: the same with ami's transposed convolutions (k4 s2 p1, k8 s2 p3, k8 s4 p2): what DJL cannot run.
  fd:     5 x Embedding(n, 8), Linear(552->512), 4 SConv blocks (LN, complex diagonal scan, SiLU gate, LN, FFN,
          dropout .1), Linear(512->512); window of 8 steps encoded by a frozen encoder; loss pi * MSE;
          AdamW 1e-4 (wd 0.01).
  policy: SmallConvNet(->512) -> Linear ReLU Linear ReLU -> 13 bias-free logits (3,3,3,2,2) + value; PPO loss
          with the ratio per part, clip 0.1, vf 0.5, entropy 0.001; AdamW 1e-4, batch 8.
"""
import json
import math
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch_sconv import scan_blocks, sconv_scan

model_name = sys.argv[1] if len(sys.argv) > 1 else "vae"
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 1
steps = int(sys.argv[3]) if len(sys.argv) > 3 else 60
torch.set_num_threads(threads)
torch.set_num_interop_threads(1)
torch.manual_seed(0)
HEADS = [3, 3, 3, 2, 2]


def small_conv_net(out, c=32):
    return nn.Sequential(
        nn.Conv2d(3, c, 8, 4), nn.LeakyReLU(0.2),
        nn.Conv2d(c, 2 * c, 4, 2), nn.LeakyReLU(0.2),
        nn.Conv2d(2 * c, 2 * c, 3, 1), nn.LeakyReLU(0.2),
        nn.Flatten(), nn.Linear(2 * c * 7 * 7, out))


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = small_conv_net(512)
        self.mu = nn.Linear(512, 512)
        self.sigma = nn.Linear(512, 512)

    def forward(self, x):
        h = self.trunk(x)
        return self.mu(h), F.softplus(self.sigma(h)) + 1e-7


class Decoder(nn.Module):
    def __init__(self, convt):
        super().__init__()
        self.project = nn.Linear(512, 36)
        if convt:
            self.up = nn.Sequential(
                nn.ConvTranspose2d(1, 128, 4, 2, 1), nn.LeakyReLU(0.2),
                nn.ConvTranspose2d(128, 64, 8, 2, 3), nn.LeakyReLU(0.2),
                nn.ConvTranspose2d(64, 3, 8, 4, 2))
        else:
            self.up = nn.Sequential(
                nn.Conv2d(1, 4 * 128, 3, 1, 1), nn.PixelShuffle(2), nn.LeakyReLU(0.2),
                nn.Conv2d(128, 4 * 64, 5, 1, 2), nn.PixelShuffle(2), nn.LeakyReLU(0.2),
                nn.Conv2d(64, 16 * 3, 3, 1, 1), nn.PixelShuffle(4))
        self.bias = nn.Parameter(torch.zeros(3, 84, 84))

    def forward(self, z):
        x = self.up(self.project(z).view(-1, 1, 6, 6))
        return x[:, :, 6:90, 6:90] + self.bias


class SConv(nn.Module):
    def __init__(self, d):
        super().__init__()
        mag = torch.randn(d).abs()
        phase = torch.arange(d) * 2 * math.pi / d
        self.theta = nn.Parameter(torch.stack([phase.cos() * mag, phase.sin() * mag]))
        self.b = nn.Parameter(torch.randn(2, d) * math.sqrt(0.5))

    def forward(self, x, h_re, h_im):
        return sconv_scan(self.theta, self.b, x, h_re, h_im)


class Block(nn.Module):
    def __init__(self, d=512, ffn=512):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.sconv = SConv(d)
        self.gate = nn.Linear(d, d)
        self.ffn = nn.Sequential(nn.Linear(d, ffn), nn.SiLU(), nn.Linear(ffn, d))
        self.drop = nn.Dropout(0.1)

    def forward(self, x, h_re, h_im):
        y, h_re, h_im = self.sconv(self.norm1(x), h_re, h_im)
        x = x + self.drop(y * F.silu(self.gate(x)))
        x = x + self.drop(self.ffn(self.norm2(x)))
        return x, h_re, h_im


class ForwardDynamics(nn.Module):
    def __init__(self, depth=4):
        super().__init__()
        self.embed = nn.ModuleList(nn.Embedding(n, 8) for n in HEADS)
        self.inp = nn.Linear(512 + 40, 512)
        self.blocks = nn.ModuleList(Block() for _ in range(depth))
        self.out = nn.Linear(512, 512)

    def forward(self, z, actions, h_re, h_im):
        a = torch.cat([e(actions[..., i]) for i, e in enumerate(self.embed)], -1)
        x = self.inp(torch.cat([z, a], -1))
        x, h_re, h_im = scan_blocks(self.blocks, x, h_re, h_im)
        return self.out(x), h_re, h_im


class PolicyValue(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(small_conv_net(512), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU())
        self.heads = nn.Linear(512, 13, bias=False)
        self.value = nn.Linear(512, 1)

    def forward(self, x):
        h = self.body(x)
        return self.heads(h), self.value(h).squeeze(-1)


def per_part_log_probs(logits):
    return torch.cat([p.log_softmax(-1) for p in logits.split(HEADS, -1)], -1)


def build():
    if model_name in ("vae", "vae-convt"):
        enc, dec = Encoder(), Decoder(model_name == "vae-convt")
        opt = torch.optim.Adam(list(enc.parameters()) + list(dec.parameters()), lr=1e-3)
        x = torch.rand(8, 3, 84, 84)

        def step():
            mu, sigma = enc(x)
            z = mu + sigma * torch.randn_like(mu)
            kl = (0.5 * (mu ** 2 + sigma ** 2 - 1 - 2 * sigma.log())).mean()
            return F.mse_loss(dec(z), x) + 0.01 * kl
        return opt, step
    if model_name == "fd":
        enc, fd = Encoder(), ForwardDynamics()
        for p in enc.parameters():
            p.requires_grad_(False)
        opt = torch.optim.AdamW(fd.parameters(), lr=1e-4, weight_decay=0.01)
        frames = torch.rand(9, 3, 84, 84)
        actions = torch.stack([torch.randint(0, n, (1, 8)) for n in HEADS], -1)
        h_re, h_im = torch.randn(1, 4, 512) * 0.1, torch.randn(1, 4, 512) * 0.1

        def step():
            with torch.no_grad():
                mu = enc(frames)[0]
            pred, _, _ = fd(mu[:8].unsqueeze(0), actions, h_re, h_im)
            return math.pi * F.mse_loss(pred, mu[1:].unsqueeze(0))
        return opt, step
    if model_name == "policy":
        net = PolicyValue()
        opt = torch.optim.AdamW(net.parameters(), lr=1e-4, weight_decay=0.01)
        x = torch.rand(8, 3, 84, 84)
        actions = torch.stack([torch.randint(0, n, (8,)) for n in HEADS], -1)
        offsets = torch.tensor([0, 3, 6, 9, 11])
        old_logp = torch.full((8, 5), -1.0)
        adv, old_v, ret = torch.randn(8), torch.randn(8), torch.randn(8)
        clip = 0.1

        def step():
            logits, v = net(x)
            logall = per_part_log_probs(logits)
            logp = logall.gather(1, actions + offsets)
            parts = [p for p in logall.split(HEADS, -1)]
            entropy = torch.stack([-(p.exp() * p).sum(-1) for p in parts], -1).mean()
            ratio = (logp - old_logp).exp()
            a = adv.unsqueeze(1)
            policy = -torch.min(ratio * a, ratio.clamp(1 - clip, 1 + clip) * a).mean()
            v_c = old_v + (v - old_v).clamp(-clip, clip)
            value = torch.max((v - ret) ** 2, (v_c - ret) ** 2).mean()
            return policy + 0.5 * value - 0.001 * entropy
        return opt, step
    raise SystemExit("model must be vae, vae-convt, fd or policy")


opt, loss_of = build()
times, ctimes, losses = [], [], []
warmup = 10
for i in range(warmup + steps):
    t0 = time.perf_counter()
    c0 = time.thread_time()
    opt.zero_grad(set_to_none=True)
    loss = loss_of()
    loss.backward()
    opt.step()
    lv = loss.item()
    dt = (time.perf_counter() - t0) * 1e3
    dc = (time.thread_time() - c0) * 1e3
    losses.append(lv)
    if i == warmup - 1:
        flt0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    if i >= warmup:
        times.append(dt)
        ctimes.append(dc)
flt1 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
print(json.dumps({"model": model_name, "torch": torch.__version__, "threads": threads, "steps": steps,
                  "step_ms_p50": round(statistics.median(times), 3),
                  "step_cpu_ms_p50": round(statistics.median(ctimes), 3),
                  "faults_per_step": (flt1 - flt0) // steps,
                  "loss_first": round(losses[0], 6), "loss_last": round(losses[-1], 6)}))
