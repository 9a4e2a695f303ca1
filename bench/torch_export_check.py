#!/usr/bin/python3
"""Loads an `export` folder into PyTorch peers of the models and replays each model's probe.

usage: /usr/bin/python3 bench/torch_export_check.py DIR

DIR is what `java -jar target/ami.jar export --resume PATH|latest --out DIR` wrote: models.json, and for each model
<model>.safetensors (its weights) and <model>.probe.safetensors (a seeded input and the Java model's output for it,
described under "probe" in models.json). The files are read with json and struct alone: Debian's python3-torch
(1.13) has no safetensors reader.

Each model is rebuilt here in PyTorch from the config keys its probe names, independently of the Java code (the
architectures of bench/torch_curiosity_bench.py and bench/torch_ae_bench.py, which run their benchmarks on
import, so they are written out again here with the sizes as parameters). The weights go in through an explicit
map from DJL's parameter names to the peer's state_dict keys; an exported tensor no map entry uses, or a peer
parameter no entry sets, fails the model. Only tensors that take no part in a forward pass are left out on purpose,
each named with the reason (the PPO reward normaliser's statistics and entropy weights).

Prints one JSON line per model, {"model", "max_abs_diff", "ok", ...}, then {"ok": true|false}; exits 1 unless
every model agrees. The tolerance is absolute 1e-4 for outputs of magnitude up to 1 and relative beyond:
an output agrees when max|torch - java| <= 1e-4 * max(1, max|java|).
"""
import json
import math
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch_sconv import scan_blocks, sconv_scan

TOLERANCE = 1e-4
HEADS = [3, 3, 3, 2, 2]  # dev.ami.model.ActionHeads
CHANNEL_BLOCK = 16  # dev.ami.model.Layers.ONEDNN_CHANNEL_BLOCK: convs compute channels up to a multiple of it
# exported tensors no forward pass reads, by name prefix (a group), with why
NOT_IN_FORWARD = {
    "policy": {"reward_norm.": "the PPO reward normaliser's running statistics (discounted return, count, "
                               "mean, variance): state the trainer keeps, no part of a forward pass",
               "entropy_coef.": "the entropy bonus's log-weight per action part: state the trainer keeps, no part "
                                "of a forward pass"},
    "fd": {"encoder.": "the VAE encoder the forward model was trained against, carried for the agent's reward "
                       "(checked by the vae peer's layout); no part of the forward model's pass"},
}

# safetensors dtype -> (struct format, bytes, torch dtype)
DTYPES = {
    "F64": ("d", 8, torch.float64),
    "F32": ("f", 4, torch.float32),
    "F16": ("e", 2, torch.float16),
    "I64": ("q", 8, torch.int64),
    "I32": ("i", 4, torch.int32),
    "I16": ("h", 2, torch.int16),
    "I8": ("b", 1, torch.int8),
    "U8": ("B", 1, torch.uint8),
    "BOOL": ("?", 1, torch.bool),
}


class Mismatch(Exception):
    """The export and the peer do not fit: a name, a shape or a tensor too many or too few."""


def read_safetensors(path):
    """name -> tensor, from an 8-byte little-endian header length, the JSON header, then the raw data."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise Mismatch("%s: shorter than a safetensors header" % path)
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    base = 8 + n
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        if entry["dtype"] not in DTYPES:
            raise Mismatch("%s: tensor %s has dtype %s, which this reader does not know" % (path, name, entry["dtype"]))
        fmt, size, dtype = DTYPES[entry["dtype"]]
        begin, end = entry["data_offsets"]
        shape = [int(d) for d in entry["shape"]]
        count = 1
        for d in shape:
            count *= d
        if end - begin != count * size or base + end > len(data):
            raise Mismatch("%s: tensor %s: %d bytes at [%d, %d) for shape %s" % (path, name, end - begin, begin, end,
                                                                                 shape))
        values = struct.unpack("<%d%s" % (count, fmt), data[base + begin:base + end])
        tensors[name] = torch.tensor(values, dtype=dtype).reshape(shape)
    return tensors


# ---- the PyTorch peers ------------------------------------------------------------------------------------------

def small_conv_net_side(s):
    """Side of SmallConvNet's last feature map for input side s (k8 s4, k4 s2, k3 s1, no padding)."""
    a = (s - 8) // 4 + 1
    b = (a - 4) // 2 + 1
    return b - 2


def small_conv_net(input_size, c, out):
    side = small_conv_net_side(input_size)
    return nn.Sequential(
        nn.Conv2d(3, c, 8, 4), nn.LeakyReLU(0.2),
        nn.Conv2d(c, 2 * c, 4, 2), nn.LeakyReLU(0.2),
        nn.Conv2d(2 * c, 2 * c, 3, 1), nn.LeakyReLU(0.2),
        nn.Flatten(), nn.Linear(2 * c * side * side, out))


class VaeEncoder(nn.Module):
    def __init__(self, input_size, c, latent):
        super().__init__()
        self.trunk = small_conv_net(input_size, c, latent)
        self.mu = nn.Linear(latent, latent)
        self.sigma = nn.Linear(latent, latent)

    def forward(self, x):
        h = self.trunk(x)
        return self.mu(h), F.softplus(self.sigma(h)) + 1e-7


class VaeDecoder(nn.Module):
    """Linear -> (1,b,b) -> sub-pixel upsamplings x2, x2, x4 to 16b, centre crop to the input side, + pixel bias."""

    def __init__(self, input_size, latent, d1):
        super().__init__()
        d2 = max(1, d1 // 2)
        self.side = input_size
        self.base = (input_size + 15) // 16
        self.project = nn.Linear(latent, self.base * self.base)
        self.up = nn.Sequential(
            nn.Conv2d(1, 4 * d1, 3, 1, 1), nn.PixelShuffle(2), nn.LeakyReLU(0.2),
            nn.Conv2d(d1, 4 * d2, 5, 1, 2), nn.PixelShuffle(2), nn.LeakyReLU(0.2),
            nn.Conv2d(d2, 16 * 3, 3, 1, 1), nn.PixelShuffle(4))
        self.bias = nn.Parameter(torch.zeros(3, input_size, input_size))

    def forward(self, z):
        x = self.up(self.project(z).view(-1, 1, self.base, self.base))
        f = (16 * self.base - self.side) // 2
        return x[:, :, f:f + self.side, f:f + self.side] + self.bias


class Vae(nn.Module):
    def __init__(self, input_size, c, latent, d1):
        super().__init__()
        self.encoder = VaeEncoder(input_size, c, latent)
        self.decoder = VaeDecoder(input_size, latent, d1)


class SConv(nn.Module):
    """h_t = lambda * h_{t-1} + B * x_t, y_t = Re(h_t), lambda = exp(-|theta|^2) e^{i arg theta}; (2, D) re/im rows."""

    def __init__(self, d):
        super().__init__()
        self.theta = nn.Parameter(torch.zeros(2, d))
        self.b = nn.Parameter(torch.zeros(2, d))

    def forward(self, x, h_re, h_im):
        return sconv_scan(self.theta, self.b, x, h_re, h_im)


class SConvBlock(nn.Module):
    def __init__(self, d, ffn):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.sconv = SConv(d)
        self.gate = nn.Linear(d, d)
        self.ffn = nn.Sequential(nn.Linear(d, ffn), nn.SiLU(), nn.Linear(ffn, d))

    def forward(self, x, h_re, h_im):  # eval: dropout is the identity, so there is none here
        y, h_re, h_im = self.sconv(self.norm1(x), h_re, h_im)
        x = x + y * F.silu(self.gate(x))
        x = x + self.ffn(self.norm2(x))
        return x, h_re, h_im


class ActionEmbedding(nn.Module):
    def __init__(self, dims):
        super().__init__()
        self.tables = nn.ModuleList(nn.Embedding(n, dims) for n in HEADS)

    def forward(self, parts):  # (..., 5) indices -> (..., 5 * dims)
        return torch.cat([e(parts[..., i]) for i, e in enumerate(self.tables)], -1)


class SConvDynamics(nn.Module):
    def __init__(self, latent, depth, width, ffn, embed):
        super().__init__()
        self.embed = ActionEmbedding(embed)
        self.inp = nn.Linear(latent + len(HEADS) * embed, width)
        self.blocks = nn.ModuleList(SConvBlock(width, ffn) for _ in range(depth))
        self.out = nn.Linear(width, latent)

    def forward(self, z, parts, h_re, h_im):
        x = self.inp(torch.cat([z, self.embed(parts)], -1))
        x, h_re, h_im = scan_blocks(self.blocks, x, h_re, h_im)
        return self.out(x), h_re, h_im


class ResNetDynamics(nn.Module):
    """ResNetFD: every Linear sees cat(e(a_prev), x, e(a)); depth residual blocks with a LeakyReLU(0.2) inside."""

    def __init__(self, latent, depth, width, embed):
        super().__init__()
        a = len(HEADS) * embed
        self.embed = ActionEmbedding(embed)
        self.inp = nn.Linear(2 * a + latent, width)
        self.inner = nn.ModuleList(nn.Linear(2 * a + width, width) for _ in range(depth))
        self.outer = nn.ModuleList(nn.Linear(2 * a + width, width) for _ in range(depth))
        self.out = nn.Linear(2 * a + width, latent)

    def forward(self, z, parts, previous):  # parts (N,T,5), previous (N,5)
        prev = torch.cat([previous.unsqueeze(1), parts[:, :-1]], 1)
        ep, ea = self.embed(prev), self.embed(parts)

        def around(x):
            return torch.cat([ep, x, ea], -1)

        x = self.inp(around(z))
        for inner, outer in zip(self.inner, self.outer):
            x = x + outer(around(F.leaky_relu(inner(around(x)), 0.2)))
        return self.out(around(x)), parts[:, -1]


class PolicyValue(nn.Module):
    def __init__(self, input_size, c, hidden):
        super().__init__()
        self.body = nn.Sequential(small_conv_net(input_size, c, hidden), nn.Linear(hidden, hidden), nn.ReLU(),
                                  nn.Linear(hidden, hidden), nn.ReLU())
        self.heads = nn.Linear(hidden, sum(HEADS), bias=False)
        self.value = nn.Linear(hidden, 1)

    def forward(self, x):
        h = self.body(x)
        return self.heads(h), self.value(h)


class AutoEncoder(nn.Module):
    def __init__(self, input_size, c, latent):
        super().__init__()
        side = input_size // 8
        self.encoder = nn.Sequential(
            nn.Conv2d(3, c, 4, 2, 1), nn.ReLU(),
            nn.Conv2d(c, 2 * c, 4, 2, 1), nn.ReLU(),
            nn.Conv2d(2 * c, 4 * c, 4, 2, 1), nn.ReLU(),
            nn.Flatten(), nn.Linear(4 * c * side * side, latent))
        self.decoder = nn.Sequential(
            nn.Linear(latent, 4 * c * side * side), nn.ReLU(), nn.Unflatten(1, (4 * c, side, side)),
            nn.Conv2d(4 * c, 4 * 2 * c, 3, 1, 1), nn.PixelShuffle(2), nn.ReLU(),
            nn.Conv2d(2 * c, 4 * c, 3, 1, 1), nn.PixelShuffle(2), nn.ReLU(),
            nn.Conv2d(c, 4 * 3, 3, 1, 1), nn.PixelShuffle(2), nn.Sigmoid())


def log_probs(logits):
    return torch.cat([p.log_softmax(-1) for p in logits.split(HEADS, -1)], -1)


def part_indices(hot):
    """(..., 13) one-hot per part -> (..., 5) indices; anything but exactly one-hot is refused."""
    out = []
    for p in hot.split(HEADS, -1):
        if not bool(((p == 0) | (p == 1)).all()) or not bool((p.sum(-1) == 1).all()):
            raise Mismatch("the probe's actions are not one-hot per part")
        out.append(p.argmax(-1))
    return torch.stack(out, -1)


def one_hot(parts):
    return torch.cat([F.one_hot(parts[..., i], n) for i, n in enumerate(HEADS)], -1).float()


# ---- DJL's names -> the peers' state_dict keys ------------------------------------------------------------------
# DJL names a child block "NN<name>" (its 1-based position, two digits) and a parameter <child>_<child>_..._<param>;
# a SequentialBlock's children are named after their class. WeightExport prefixes the snapshot group ("encoder.")
# and writes SConv's complex (2, D) parameters as <name>.re and <name>.im. Each entry: (torch key, DJL names, how):
#   copy     one tensor as it is
#   rows     a conv that Layers.conv widened to a multiple of 16 output channels and cut back: its first rows
#   complex  the .re and .im halves stacked back into the (2, D) parameter

def padded(n):
    return (n + CHANNEL_BLOCK - 1) // CHANNEL_BLOCK * CHANNEL_BLOCK


def conv(links, djl, key, out):
    """Layers.conv(..., out) at DJL child position `djl` (e.g. "encoder.01"): a Conv2d, or when out is not a
    multiple of 16 a SequentialBlock of a wider Conv2d and a LambdaBlock that keeps the first `out` channels."""
    if padded(out) == out:
        base, how = djl + "Conv2d_", "copy"
    else:
        base, how = djl + "SequentialBlock_01Conv2d_", "rows"
    links.append((key + "weight", [base + "weight"], how))
    links.append((key + "bias", [base + "bias"], how))


def linear(links, djl, key, bias=True):
    links.append((key + "weight", [djl + "weight"], "copy"))
    if bias:
        links.append((key + "bias", [djl + "bias"], "copy"))


def small_conv_net_links(links, djl, key, c):
    conv(links, djl + "01", key + "0.", c)  # 02, 04, 06: LeakyReLU; 07: flatten
    conv(links, djl + "03", key + "2.", 2 * c)
    conv(links, djl + "05", key + "4.", 2 * c)
    linear(links, djl + "08Linear_", key + "7.")


def embedding_links(links):
    for h in range(len(HEADS)):
        links.append(("embed.tables.%d.weight" % h, ["model.01embed_table%d" % h], "copy"))


def vae_peer(cfg):
    s, c, latent, d1 = cfg["model.input_size"], cfg["vae.channels"], cfg["vae.latent"], cfg["vae.decoder_channels"]
    d2 = max(1, d1 // 2)
    links = []
    small_conv_net_links(links, "encoder.01trunk_", "encoder.trunk.", c)
    linear(links, "encoder.02mu_", "encoder.mu.")
    linear(links, "encoder.03sigma_", "encoder.sigma.")
    links.append(("decoder.bias", ["decoder.pixelBias"], "copy"))
    linear(links, "decoder.01project_", "decoder.project.")
    conv(links, "decoder.02upsample_01SequentialBlock_01", "decoder.up.0.", 4 * d1)  # 02, 04: LeakyReLU
    conv(links, "decoder.02upsample_03SequentialBlock_01", "decoder.up.3.", 4 * d2)
    conv(links, "decoder.02upsample_05SequentialBlock_01", "decoder.up.6.", 16 * 3)
    model = Vae(s, c, latent, d1)

    def run(t):
        mu, sigma = model.encoder(t["input.frames"])
        return {"output.mu": mu, "output.sigma": sigma, "output.reconstruction": model.decoder(mu)}
    return model, links, run


def fd_peer(cfg):
    latent, depth, width = cfg["vae.latent"], cfg["fd.depth"], cfg["fd.width"]
    ffn, embed, kind = cfg["fd.ffn"], cfg["fd.action_embed"], cfg["fd.kind"]
    links = []
    embedding_links(links)
    linear(links, "model.02in_", "inp.")
    if kind == "resnet":
        for i in range(depth):
            linear(links, "model.%02dinner%d_" % (3 + 2 * i, i), "inner.%d." % i)
            linear(links, "model.%02douter%d_" % (4 + 2 * i, i), "outer.%d." % i)
        linear(links, "model.%02dout_" % (3 + 2 * depth), "out.")
        model = ResNetDynamics(latent, depth, width, embed)

        def run(t):
            mu, last = model(t["input.z"], part_indices(t["input.actions"]), part_indices(t["input.previous"]))
            return {"output.mu": mu, "output.previous": one_hot(last)}
        return model, links, run
    if kind != "sconv":
        raise Mismatch("fd.kind %r is neither sconv nor resnet" % kind)
    for i in range(depth):
        d, k = "model.%02dblock%d_" % (3 + i, i), "blocks.%d." % i
        links.append((k + "norm1.weight", [d + "01norm1_gamma"], "copy"))
        links.append((k + "norm1.bias", [d + "01norm1_beta"], "copy"))
        links.append((k + "sconv.theta", [d + "02sconv_theta.re", d + "02sconv_theta.im"], "complex"))
        links.append((k + "sconv.b", [d + "02sconv_b.re", d + "02sconv_b.im"], "complex"))
        linear(links, d + "03gate_", k + "gate.")
        links.append((k + "norm2.weight", [d + "04norm2_gamma"], "copy"))
        links.append((k + "norm2.bias", [d + "04norm2_beta"], "copy"))
        linear(links, d + "05ffnIn_", k + "ffn.0.")
        linear(links, d + "06ffnOut_", k + "ffn.2.")  # 07: dropout, no parameters
    linear(links, "model.%02dout_" % (3 + depth), "out.")
    model = SConvDynamics(latent, depth, width, ffn, embed)

    def run(t):
        mu, h_re, h_im = model(t["input.z"], part_indices(t["input.actions"]), t["input.h_re"], t["input.h_im"])
        return {"output.mu": mu, "output.h_re": h_re, "output.h_im": h_im}
    return model, links, run


def policy_peer(cfg):
    s, c, hidden = cfg["model.input_size"], cfg["policy.channels"], cfg["policy.hidden"]
    links = []
    small_conv_net_links(links, "model.01body_01SequentialBlock_", "body.0.", c)
    linear(links, "model.01body_02Linear_", "body.1.")  # 03, 05: ReLU
    linear(links, "model.01body_04Linear_", "body.3.")
    linear(links, "model.02heads_", "heads.", bias=False)
    linear(links, "model.03value_", "value.")
    model = PolicyValue(s, c, hidden)

    def run(t):
        logits, value = model(t["input.frames"])
        return {"output.logits": logits, "output.value": value, "output.log_probs": log_probs(logits)}
    return model, links, run


def ae_peer(cfg):
    s, c, latent = cfg["model.input_size"], cfg["ae.channels"], cfg["ae.latent"]
    links = []
    conv(links, "encoder.01", "encoder.0.", c)  # 02, 04, 06: ReLU; 07: flatten
    conv(links, "encoder.03", "encoder.2.", 2 * c)
    conv(links, "encoder.05", "encoder.4.", 4 * c)
    linear(links, "encoder.08Linear_", "encoder.7.")
    linear(links, "decoder.01Linear_", "decoder.0.")  # 02: ReLU; 03: unflatten
    conv(links, "decoder.04SequentialBlock_01", "decoder.3.", 4 * 2 * c)  # 05, 07: ReLU; 09: sigmoid
    conv(links, "decoder.06SequentialBlock_01", "decoder.6.", 4 * c)
    conv(links, "decoder.08SequentialBlock_01", "decoder.9.", 4 * 3)
    model = AutoEncoder(s, c, latent)

    def run(t):
        z = model.encoder(t["input.frames"])
        return {"output.latent": z, "output.reconstruction": model.decoder(z)}
    return model, links, run


PEERS = {"vae": vae_peer, "fd": fd_peer, "policy": policy_peer, "ae": ae_peer}


def load(model, tensors, links, skipped):
    """Sets every parameter of `model` from `tensors` through `links`; every tensor must be used or skipped."""
    state = model.state_dict()
    loaded, used = {}, set()
    for key, names, how in links:
        if key not in state:
            raise Mismatch("the map names %s, which the PyTorch peer does not have" % key)
        if key in loaded:
            raise Mismatch("the map sets %s twice" % key)
        missing = [n for n in names if n not in tensors]
        if missing:
            raise Mismatch("%s: not in the export: %s" % (key, ", ".join(missing)))
        twice = [n for n in names if n in used]
        if twice:
            raise Mismatch("%s: used twice: %s" % (key, ", ".join(twice)))
        used.update(names)
        source = [tensors[n] for n in names]
        want = state[key].shape
        if how == "copy":
            value = source[0]
        elif how == "rows":
            if source[0].shape[0] != padded(want[0]):
                raise Mismatch("%s: %s has %d rows; a conv of %d channels is widened to %d"
                               % (key, names[0], source[0].shape[0], want[0], padded(want[0])))
            value = source[0][:want[0]]
        elif how == "complex":
            value = torch.stack(source)
        else:
            raise Mismatch("unknown way %r" % how)
        if tuple(value.shape) != tuple(want):
            raise Mismatch("%s: shape %s from %s, the peer has %s" % (key, list(value.shape), names, list(want)))
        loaded[key] = value.to(state[key].dtype)
    unset = sorted(set(state) - set(loaded))
    if unset:
        raise Mismatch("PyTorch parameters no exported tensor sets: " + ", ".join(unset))
    unused = sorted(set(tensors) - used - set(skipped))
    if unused:
        raise Mismatch("exported tensors no mapping uses: " + ", ".join(unused))
    model.load_state_dict(loaded, strict=True)


def check_model(folder, key, entry):
    probe = entry.get("probe")
    if probe is None:
        raise Mismatch("models.json has no probe for %s (an export from before the probes?)" % key)
    if key not in PEERS:
        raise Mismatch("no PyTorch peer for model %s" % key)
    weights = read_safetensors("%s/%s" % (folder, entry["file"]))
    listed = [t["name"] for t in entry["tensors"]]
    if sorted(listed) != sorted(weights):
        raise Mismatch("models.json lists %s, the file holds %s" % (sorted(listed), sorted(weights)))
    skipped = {n: why for prefix, why in NOT_IN_FORWARD.get(key, {}).items() for n in weights
               if n.startswith(prefix)}
    model, links, run = PEERS[key](probe["config"])
    load(model, weights, links, skipped)
    model.eval()

    recorded = read_safetensors("%s/%s" % (folder, probe["file"]))
    inputs = [t["name"] for t in probe["inputs"]]
    outputs = [t["name"] for t in probe["outputs"]]
    if sorted(inputs + outputs) != sorted(recorded):
        raise Mismatch("the probe lists %s, its file holds %s" % (sorted(inputs + outputs), sorted(recorded)))
    with torch.no_grad():
        ours = run({n: recorded[n] for n in inputs})
    if sorted(ours) != sorted(outputs):
        raise Mismatch("the peer gives %s, the probe has %s" % (sorted(ours), sorted(outputs)))
    per_output, worst, ok = {}, 0.0, True
    for name in outputs:
        java = recorded[name].double()
        mine = ours[name].double()
        if tuple(java.shape) != tuple(mine.shape):
            raise Mismatch("%s: Java shape %s, PyTorch %s" % (name, list(java.shape), list(mine.shape)))
        diff = (mine - java).abs().max().item() if java.numel() else 0.0
        magnitude = java.abs().max().item() if java.numel() else 0.0
        agrees = math.isfinite(diff) and diff <= TOLERANCE * max(1.0, magnitude)
        ok = ok and agrees
        worst = diff if not math.isfinite(diff) else max(worst, diff)
        per_output[name] = {"max_abs_diff": number(diff), "max_abs_java": number(magnitude), "ok": agrees}
    return {"model": key, "max_abs_diff": number(worst), "ok": ok,
            "tolerance": "max|torch - java| <= %g * max(1, max|java|), per output" % TOLERANCE,
            "outputs": per_output, "not_in_forward": skipped}


def number(x):
    return x if math.isfinite(x) else str(x)


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    folder = argv[1]
    with open("%s/models.json" % folder, encoding="utf-8") as f:
        index = json.load(f)
    all_ok = bool(index)
    for key, entry in index.items():
        try:
            line = check_model(folder, key, entry)
        except Exception as e:  # pylint: disable=broad-except -- one model failing must not hide the others
            line = {"model": key, "max_abs_diff": None, "ok": False, "error": "%s: %s" % (type(e).__name__, e)}
        all_ok = all_ok and line["ok"]
        print(json.dumps(line), flush=True)
    print(json.dumps({"ok": all_ok}), flush=True)
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
