#!/usr/bin/python3
"""PyTorch CPU reference for the variational and convolutional autoencoders
(a copy of ../shared/bench/torch_models.py reading MNIST like torch_ae.py), for
scripts/bench-vs-pytorch.sh.

Same data and conventions as torch_ae.py (MNIST 60k/10k, pixels float32 in [0,1], shuffled every
epoch, last partial batch kept, PyTorch default initialisation, Adam lr 1e-3, 0.9/0.999/1e-8).
Samples/s counts the training loop only.

Workloads:
  VAE: the pytorch/examples VAE. 784-400-(mu, logvar: 20)-400-784, ReLU hidden, sigmoid output,
       batch 128. Loss per example = BCE summed over the 784 pixels + KL(q(z|x) || N(0, I)).
       Reported test_loss: that loss averaged over the 10k test images (nats per image, lower is
       better), with z = mu + sigma * eps sampled once per test image (seeded), as in the example;
       test_recon_mse: mean squared error of the decoder's output at z = mu (per pixel).
  CAE: a small convolutional autoencoder, batch 64, code width 32:
       Conv(1->16, k3, s2, p1) ReLU -> Conv(16->32, k3, s2, p1) ReLU -> flatten 1568 -> Linear 32
       -> Linear 1568 ReLU -> ConvT(32->16, k3, s2, p1, op1) ReLU -> ConvT(16->1, k3, s2, p1, op1)
       sigmoid. MSE (mean over all elements). Reported test_mse like torch_ae.py.

Run with Debian's interpreter, in the fair set-up of run_pytorch.sh:
  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=2 /usr/bin/python3 torch_models.py --workload VAE --epochs 5
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_ae import default_mnist_dir, read_images  # noqa: E402


class VAE(nn.Module):
    def __init__(self, hidden=400, z=20):
        super().__init__()
        self.fc1 = nn.Linear(784, hidden)
        self.fc21 = nn.Linear(hidden, z)
        self.fc22 = nn.Linear(hidden, z)
        self.fc3 = nn.Linear(z, hidden)
        self.fc4 = nn.Linear(hidden, 784)

    def encode(self, x):
        h = F.relu(self.fc1(x))
        return self.fc21(h), self.fc22(h)

    def decode_logits(self, z):
        return self.fc4(F.relu(self.fc3(z)))

    def forward(self, x):
        mu, logvar = self.encode(x)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        return self.decode_logits(z), mu, logvar


def vae_loss(logits, x, mu, logvar):
    # BCE on logits is the numerically stable form of BCE(sigmoid(logits), x).
    bce = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld, bce, kld


class CAE(nn.Module):
    def __init__(self, code=32):
        super().__init__()
        self.enc = nn.Sequential(
            nn.Conv2d(1, 16, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),
            nn.Flatten(), nn.Linear(32 * 7 * 7, code))
        self.dec = nn.Sequential(
            nn.Linear(code, 32 * 7 * 7), nn.ReLU(), nn.Unflatten(1, (32, 7, 7)),
            nn.ConvTranspose2d(32, 16, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
            nn.ConvTranspose2d(16, 1, 3, stride=2, padding=1, output_padding=1), nn.Sigmoid())

    def forward(self, x):
        return self.dec(self.enc(x))


@torch.no_grad()
def eval_vae(model, xt, seed, bs=1000):
    model.eval()
    g = torch.Generator().manual_seed(seed + 1000)
    tot, bce_t, kl_t, se = 0.0, 0.0, 0.0, 0.0
    for i in range(0, xt.shape[0], bs):
        xb = xt[i:i + bs]
        mu, logvar = model.encode(xb)
        eps = torch.randn(mu.shape, generator=g)
        z = mu + torch.exp(0.5 * logvar) * eps
        loss, bce, kld = vae_loss(model.decode_logits(z), xb, mu, logvar)
        tot, bce_t, kl_t = tot + float(loss), bce_t + float(bce), kl_t + float(kld)
        se += float(((torch.sigmoid(model.decode_logits(mu)) - xb) ** 2).sum(dtype=torch.float64))
    model.train()
    n = xt.shape[0]
    return tot / n, bce_t / n, kl_t / n, se / xt.numel()


@torch.no_grad()
def eval_cae(model, xt, bs=1000):
    model.eval()
    se = 0.0
    for i in range(0, xt.shape[0], bs):
        xb = xt[i:i + bs]
        se += float(((model(xb) - xb) ** 2).sum(dtype=torch.float64))
    model.train()
    return se / xt.numel()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workload", choices=["VAE", "CAE"], default="VAE")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--mnist-dir", default=None)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    torch.manual_seed(args.seed)

    mnist = args.mnist_dir or default_mnist_dir()
    xtr = read_images(os.path.join(mnist, "train-images-idx3-ubyte.gz"))
    xte = read_images(os.path.join(mnist, "t10k-images-idx3-ubyte.gz"))
    if args.workload == "CAE":
        xtr, xte = xtr.view(-1, 1, 28, 28), xte.view(-1, 1, 28, 28)
        model, bs = CAE(), 64
    else:
        model, bs = VAE(), 128
    n = xtr.shape[0]
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "workload": args.workload,
                      "batch": bs, "seed": args.seed,
                      "params": sum(p.numel() for p in model.parameters())}), flush=True)

    for ep in range(1, args.epochs + 1):
        perm = torch.randperm(n)
        t0 = time.perf_counter()
        for i in range(0, n, bs):
            xb = xtr[perm[i:i + bs]]
            if args.workload == "VAE":
                logits, mu, logvar = model(xb)
                loss = vae_loss(logits, xb, mu, logvar)[0] / xb.shape[0]
            else:
                loss = F.mse_loss(model(xb), xb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        dt = time.perf_counter() - t0
        rec = {"epoch": ep, "train_s": round(dt, 3), "samples_per_s": round(n / dt, 1)}
        if args.workload == "VAE":
            tl, bce, kl, mse = eval_vae(model, xte, args.seed)
            rec.update(test_loss=round(tl, 3), test_bce=round(bce, 3), test_kl=round(kl, 3),
                       test_recon_mse=round(mse, 6))
        else:
            rec.update(test_mse=round(eval_cae(model, xte), 6))
        print(json.dumps(rec), flush=True)


if __name__ == "__main__":
    sys.exit(main())
