#!/usr/bin/python3
"""From a PyTorch model to a recorded walk and back, without a line of C#.

1. Define a model in PyTorch (here a small CNN with BatchNorm and a residual connection).
2. Save it as TorchScript with a sidecar (sgdwalk.save_model) and a Fashion-MNIST subset as .npz (sgdwalk.save_dataset).
3. Walk it with `sgdwalk train --model torchscript:… --dataset npz:…`: steps.csv, profiles.csv, report.html.
4. Export step t as a PyTorch state_dict (`sgdwalk export --format pt`) and load it into the same Python class.
5. Check in PyTorch that the loss at θ_t on the probe set equals probe_loss_start in steps.csv.

Usage: samples/pytorch/walk_my_model.py [--out DIR] [--steps N] [--export-step T]
Runs ./sgdwalk from this repository unless SGDWALK names another command (e.g. "dotnet path/SgdWalk.Cli.dll").
Needs only Debian's python3-torch and python3-numpy, and the Fashion-MNIST files of Debian's dataset-fashion-mnist.
"""
import argparse
import gzip
import os
import shlex
import subprocess
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

here = os.path.dirname(os.path.abspath(__file__))
repository = os.path.dirname(os.path.dirname(here))
sys.path.insert(0, os.path.join(repository, "python"))
import sgdwalk  # noqa: E402  (the companion, python/sgdwalk.py)


class ResidualCnn(nn.Module):
    """conv → BN → ReLU, then a residual block (conv → BN, added to its input), global average pool, linear."""

    def __init__(self, channels=16, classes=10):
        super().__init__()
        self.stem = nn.Conv2d(1, channels, 3, padding=1)
        self.stem_bn = nn.BatchNorm2d(channels)
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)
        self.bn = nn.BatchNorm2d(channels)
        self.head = nn.Linear(channels, classes)

    def forward(self, x):
        h = F.relu(self.stem_bn(self.stem(x)))
        h = F.relu(h + self.bn(self.conv(h)))
        return self.head(F.adaptive_avg_pool2d(h, 1).flatten(1))


def read_idx(path):
    """An IDX file (gzip'd, as Debian ships Fashion-MNIST) as a numpy array."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def run(command):
    print("$", " ".join(shlex.quote(c) for c in command), flush=True)
    subprocess.run(command, check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(repository, "runs", "pytorch-sample"))
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--export-step", type=int, default=30)
    parser.add_argument("--train-size", type=int, default=2000, help="training images taken from Fashion-MNIST (the probe set)")
    parser.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    args = parser.parse_args()
    sgdwalk_command = shlex.split(os.environ.get("SGDWALK", os.path.join(repository, "sgdwalk")))
    os.makedirs(args.out, exist_ok=True)

    # 1-2. The model and the data, as files SgdWalk reads.
    torch.manual_seed(0)
    model = ResidualCnn()
    model_file = os.path.join(args.out, "residual-cnn.pt")
    sgdwalk.save_model(model, model_file, input_shape=(1, 28, 28), classes=10)
    images = read_idx(os.path.join(args.data_dir, "train-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(args.data_dir, "train-labels-idx1-ubyte.gz")).astype(np.int64)
    test_images = read_idx(os.path.join(args.data_dir, "t10k-images-idx3-ubyte.gz"))
    test_labels = read_idx(os.path.join(args.data_dir, "t10k-labels-idx1-ubyte.gz")).astype(np.int64)
    n = args.train_size
    data_file = sgdwalk.save_dataset(os.path.join(args.out, "fashion-subset.npz"),
                                     images[:n], labels[:n],
                                     val_images=images[n:n + 500], val_labels=labels[n:n + 500],
                                     test_images=test_images[:500], test_labels=test_labels[:500])

    # 3. The walk: every step's segment profiled on the whole training subset, checkpoints kept for the export.
    #    --bn running evaluates with θ_t's running statistics, so the loss below does not depend on how SgdWalk
    #    chunks the probe set.
    run_folder = os.path.join(args.out, "run")
    run(sgdwalk_command + ["train", "--model", "torchscript:" + model_file, "--dataset", "npz:" + data_file,
                           "--bn", "running", "--lr", "0.1", "--batch-size", "50", "--steps", str(args.steps),
                           "--probe-size", str(n), "--record", "all", "--checkpoint-every", "1",
                           "--keep-checkpoints", str(args.steps + 1), "--seed", "1", "--threads", "1",
                           "--out", run_folder, "--overwrite"])

    # 4. Step t back into the Python class (strict keys: parameters and BatchNorm buffers).
    export_folder = os.path.join(args.out, "export")
    run(sgdwalk_command + ["export", run_folder, "--step", str(args.export_step), "--format", "pt", "--out", export_folder])
    walked = sgdwalk.load_step(ResidualCnn(), export_folder)

    # 5. The loss at θ_t on the probe set (the whole training subset) in eager PyTorch, against steps.csv.
    walked.eval()
    torch.set_num_threads(1)
    x = torch.from_numpy(images[:n].copy()).float().div(255).unsqueeze(1)
    y = torch.from_numpy(labels[:n])
    with torch.no_grad():
        losses = F.cross_entropy(walked(x), y, reduction="none").double()
    ours = losses.mean().item()
    steps = sgdwalk.read_csv(os.path.join(run_folder, "steps.csv"))
    recorded = float(steps["probe_loss_start"][steps["step"] == args.export_step][0])
    relative = abs(ours - recorded) / abs(recorded)
    print(f"loss at θ_{args.export_step}: PyTorch {ours:.9f}, SgdWalk probe_loss_start {recorded:.9f}, relative difference {relative:.2e}")
    print(f"report: {os.path.join(run_folder, 'report.html')}")
    if relative > 1e-5:
        print("MISMATCH: the loss PyTorch computes at the exported step differs from SgdWalk's", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
