"""The SConv recurrence in PyTorch, shared by the peers in bench/ (torch_curiosity_bench.py times it,
torch_export_check.py checks the Java model against it): written from docs/models.md, not from the Java code.

h_t = lambda * h_{t-1} + B * x_t, y_t = Re(h_t), lambda = exp(-|theta|^2) e^{i arg theta}; theta and B are (2, D)
with the real part in row 0 and the imaginary part in row 1.
"""
import torch


def sconv_scan(theta, b, x, h_re, h_im):
    """x (N, T, D), h_re and h_im (N, D) -> y (N, T, D) and the last hidden state (h_re, h_im)."""
    re, im = theta
    mag2 = re * re + im * im
    scale = torch.exp(-mag2) / torch.sqrt(mag2 + 1e-12)
    l_re, l_im = re * scale, im * scale
    ys = []
    for t in range(x.shape[1]):
        xt = x[:, t]
        h_re, h_im = l_re * h_re - l_im * h_im + b[0] * xt, l_re * h_im + l_im * h_re + b[1] * xt
        ys.append(h_re)
    return torch.stack(ys, 1), h_re, h_im


def scan_blocks(blocks, x, h_re, h_im):
    """A stack of SConv blocks, each with its own hidden state h[:, i]: -> x, and the stacked new states."""
    res, ims = [], []
    for i, b in enumerate(blocks):
        x, r, m = b(x, h_re[:, i], h_im[:, i])
        res.append(r)
        ims.append(m)
    return x, torch.stack(res, 1), torch.stack(ims, 1)
