#!/usr/bin/python3
"""Reference conv AE (issue #5) in PyTorch: prints step_ms_p50 and forward_ms_p50.

usage: /usr/bin/python3 torch_ae_bench.py [threads] [steps]
Architecture (the same as `java -jar target/ami.jar bench-train --model reference`,
dev.ami.model.AutoEncoders with model.input_size=64 model.channels=32 model.latent=256):
  encoder: conv4x4/s2/p1 3->32, ReLU, 32->64, ReLU, 64->128, ReLU, flatten, Linear 8192->256
  decoder: Linear 256->8192, ReLU, reshape 128x8x8,
           conv3x3/p1 128->256, pixel_shuffle 2, ReLU,
           conv3x3/p1 64->128,  pixel_shuffle 2, ReLU,
           conv3x3/p1 32->12,   pixel_shuffle 2, Sigmoid  -> 3x64x64
  loss MSE (mean), Adam lr 1e-3, batch 32, PyTorch default init.
"""
import sys, time, statistics, resource
import torch
import torch.nn as nn

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 60
torch.set_num_threads(threads)
torch.set_num_interop_threads(1)
torch.manual_seed(0)

enc = nn.Sequential(
    nn.Conv2d(3, 32, 4, 2, 1), nn.ReLU(),
    nn.Conv2d(32, 64, 4, 2, 1), nn.ReLU(),
    nn.Conv2d(64, 128, 4, 2, 1), nn.ReLU(),
    nn.Flatten(), nn.Linear(128 * 8 * 8, 256))
dec = nn.Sequential(
    nn.Linear(256, 128 * 8 * 8), nn.ReLU(), nn.Unflatten(1, (128, 8, 8)),
    nn.Conv2d(128, 256, 3, 1, 1), nn.PixelShuffle(2), nn.ReLU(),
    nn.Conv2d(64, 128, 3, 1, 1), nn.PixelShuffle(2), nn.ReLU(),
    nn.Conv2d(32, 12, 3, 1, 1), nn.PixelShuffle(2), nn.Sigmoid())
model = nn.Sequential(enc, dec)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
lossf = nn.MSELoss()
x = torch.rand(32, 3, 64, 64)

def step():
    opt.zero_grad(set_to_none=True)
    loss = lossf(model(x), x)
    loss.backward()
    opt.step()
    return loss

times, ctimes, losses = [], [], []
for i in range(20 + steps):
    t0 = time.perf_counter(); c0 = time.thread_time()
    l = step()
    lv = l.item()
    dt = (time.perf_counter() - t0) * 1e3; dc = (time.thread_time() - c0) * 1e3
    losses.append(lv)
    if i == 19:
        flt0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    if i >= 20:
        times.append(dt); ctimes.append(dc)
flt1 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt

x1 = torch.rand(1, 3, 64, 64)
ftimes = []
with torch.no_grad():
    for i in range(50 + 200):
        t0 = time.perf_counter()
        z = enc(x1)
        dt = (time.perf_counter() - t0) * 1e3
        if i >= 50:
            ftimes.append(dt)
    f32 = []
    for i in range(10 + 30):
        t0 = time.perf_counter()
        z = enc(x)
        dt = (time.perf_counter() - t0) * 1e3
        if i >= 10:
            f32.append(dt)

print(f"torch {torch.__version__} threads={threads} mkldnn={torch.backends.mkldnn.is_available()}")
print(f"loss first={losses[0]:.4f} after{len(losses)}={losses[-1]:.4f}")
print(f"step_ms_p50 {statistics.median(times):.2f} step_cpu_ms_p50 {statistics.median(ctimes):.2f} faults_per_step {(flt1 - flt0) // steps}")
print(f"forward_ms_p50 {statistics.median(ftimes):.3f}")
print(f"forward_b32_ms_p50 {statistics.median(f32):.2f}")
