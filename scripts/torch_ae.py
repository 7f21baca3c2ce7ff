#!/usr/bin/python3
"""PyTorch trainer of the autoencoder workloads, for scripts/bench-vs-pytorch.sh.

Trains a dense autoencoder on the 60,000 MNIST training images and prints one
JSON object per epoch: the time and samples/s of the training loop alone (the
data is one in-memory tensor before the clock starts) and the test MSE over the
10,000 test images (mean over all elements). It is the same measurement as the
engine's side: scripts/quality (per epoch) and ae's BenchmarkTrainAES/AED.

Workloads:
  AE-S: 784-256-50-256-784, batch 64
  AE-D: 784-512-256-128-32-128-256-512-784, batch 256
ReLU on every hidden layer (bottleneck included), sigmoid output, MSE (mean
over all elements), Adam lr 1e-3, betas (0.9, 0.999), eps 1e-8, reshuffled
every epoch, last partial batch kept, float32, PyTorch's default nn.Linear
initialisation.

Run it with Debian's interpreter (apt-get install python3-torch python3-numpy
libopenblas0-pthread) in the set-up bench-vs-pytorch.sh gives it. MNIST is read
from the IDX files of the GoMNIST Go module (--mnist-dir, or MNIST_DIR, or
$(go env GOMODCACHE)/github.com/petar/!go!m!n!i!s!t@<version>/data).
"""
import argparse
import gzip
import json
import os
import struct
import subprocess
import sys
import time

import numpy as np
import torch
from torch import nn

GOMNIST = "github.com/petar/!go!m!n!i!s!t@v0.0.0-20150320212226-2fbe10d0fa63"

WORKLOADS = {
    "AE-S": ([784, 256, 50, 256, 784], 64),
    "AE-D": ([784, 512, 256, 128, 32, 128, 256, 512, 784], 256),
}


def default_mnist_dir():
    """The data directory of the GoMNIST module in Go's module cache."""
    if os.environ.get("MNIST_DIR"):
        return os.environ["MNIST_DIR"]
    try:
        cache = subprocess.run(["go", "env", "GOMODCACHE"], capture_output=True, text=True,
                               check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        cache = os.path.expanduser("~/go/pkg/mod")
    return os.path.join(cache, GOMNIST, "data")


def read_images(path):
    """Reads a gzip-compressed IDX image file as float32 rows in [0, 1]."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic, n, rows, cols = struct.unpack(">IIII", raw[:16])
    if magic != 2051:
        raise ValueError(f"{path}: not an IDX image file (magic {magic})")
    pixels = np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, rows * cols)
    return torch.from_numpy(pixels.astype(np.float32) / np.float32(255))


def autoencoder(sizes):
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes, sizes[1:])):
        layers.append(nn.Linear(fan_in, fan_out))
        layers.append(nn.Sigmoid() if i == len(sizes) - 2 else nn.ReLU())
    return nn.Sequential(*layers)


@torch.no_grad()
def test_mse(model, x, chunk=1000):
    model.eval()
    total = 0.0
    for i in range(0, x.shape[0], chunk):
        xb = x[i:i + chunk]
        total += float(((model(xb) - xb) ** 2).sum(dtype=torch.float64))
    model.train()
    return total / x.numel()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workload", choices=sorted(WORKLOADS), default="AE-S")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1, help="ATen intra-op threads")
    ap.add_argument("--mnist-dir", default=None)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    torch.manual_seed(args.seed)

    sizes, batch = WORKLOADS[args.workload]
    mnist = args.mnist_dir or default_mnist_dir()
    train = read_images(os.path.join(mnist, "train-images-idx3-ubyte.gz"))
    test = read_images(os.path.join(mnist, "t10k-images-idx3-ubyte.gz"))
    n = train.shape[0]

    model = autoencoder(sizes)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    mse = nn.MSELoss()
    print(json.dumps({"engine": "torch " + torch.__version__, "threads": torch.get_num_threads(),
                      "workload": args.workload, "sizes": sizes, "batch": batch, "seed": args.seed,
                      "params": sum(p.numel() for p in model.parameters()),
                      "init_test_mse": test_mse(model, test)}), flush=True)

    for epoch in range(1, args.epochs + 1):
        perm = torch.randperm(n)
        t0 = time.perf_counter()
        for i in range(0, n, batch):
            xb = train[perm[i:i + batch]]
            loss = mse(model(xb), xb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        dt = time.perf_counter() - t0
        print(json.dumps({"epoch": epoch, "train_s": dt, "samples_per_s": n / dt,
                          "last_batch_loss": float(loss), "test_mse": test_mse(model, test)}),
              flush=True)


if __name__ == "__main__":
    sys.exit(main())
