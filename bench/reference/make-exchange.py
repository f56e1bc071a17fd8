"""Test helper: writes a synthetic exchange folder for pytorch_bench.py, so the reference can run without the C#
side. Random parameters of SgdWalk's shapes, random (already "normalised") probe images and labels.

    /usr/bin/python3 bench/reference/make-exchange.py OUT_DIR [--model mlp|small-cnn] [--threads N] ...

The parameter list is written out by hand here (not taken from pytorch_bench.py's models), so a run also checks
that the PyTorch models have SgdWalk's shapes and order.
"""
import argparse
import json
import os

import numpy as np

C, H, W = 1, 28, 28

# (name, shape) in SgdWalk's model.parameters() order: weight, bias per layer, forward order.
PARAMETERS = {
    "mlp": [
        ("layers.fc1.weight", [500, C * H * W]), ("layers.fc1.bias", [500]),
        ("layers.bn1.weight", [500]), ("layers.bn1.bias", [500]),
        ("layers.fc2.weight", [350, 500]), ("layers.fc2.bias", [350]),
        ("layers.bn2.weight", [350]), ("layers.bn2.bias", [350]),
        ("layers.fc3.weight", [10, 350]), ("layers.fc3.bias", [10]),
    ],
    "small-cnn": [
        ("features.conv1.weight", [32, C, 3, 3]), ("features.conv1.bias", [32]),
        ("features.bn1.weight", [32]), ("features.bn1.bias", [32]),
        ("features.conv2.weight", [64, 32, 3, 3]), ("features.conv2.bias", [64]),
        ("features.bn2.weight", [64]), ("features.bn2.bias", [64]),
        ("classifier.fc1.weight", [128, 64 * (H // 4) * (W // 4)]), ("classifier.fc1.bias", [128]),
        ("classifier.fc2.weight", [10, 128]), ("classifier.fc2.bias", [10]),
    ],
}


def initial(rng, name, shape):
    """Plausible values: BN scale 1, biases 0, weights uniform with the 1/sqrt(fan_in) scale of PyTorch's init."""
    if ".bn" in name:
        return np.ones(shape) if name.endswith("weight") else np.zeros(shape)
    if name.endswith("bias"):
        return np.zeros(shape)
    bound = 1 / np.sqrt(np.prod(shape[1:]))
    return rng.uniform(-bound, bound, shape)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--model", choices=sorted(PARAMETERS), default="mlp")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--probe-count", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    params = PARAMETERS[args.model]
    start = np.concatenate([initial(rng, n, s).ravel() for n, s in params]).astype("<f4")
    # A step-sized move, so the segment profile is a smooth curve rather than noise.
    end = (start + 0.01 * rng.standard_normal(start.size)).astype("<f4")
    v = rng.standard_normal(start.size)
    v = (v / np.linalg.norm(v)).astype("<f4")
    inputs = rng.standard_normal((args.probe_count, C, H, W)).astype("<f4")
    targets = rng.integers(0, 10, args.probe_count).astype("<i8")

    os.makedirs(args.out, exist_ok=True)
    for name, array in [("start.f32", start), ("end.f32", end), ("hvp-vector.f32", v),
                        ("probe-inputs.f32", inputs), ("probe-targets.i64", targets)]:
        array.tofile(os.path.join(args.out, name))
    workload = {
        "model": args.model, "threads": args.threads, "repeats": args.repeats, "seed": args.seed,
        "alphas": [round(0.1 * i, 1) for i in range(11)], "probe_chunk": 100, "train_batch": 100, "lr": 0.1,
        "hvp_samples": 1000, "hvp_chunk": 100, "matmul_size": 2000,
        "parameters": [{"name": n, "shape": s} for n, s in params],
        "probe_count": args.probe_count, "input_shape": [C, H, W],
    }
    with open(os.path.join(args.out, "workload.json"), "w") as f:
        json.dump(workload, f, indent=2)


if __name__ == "__main__":
    main()
