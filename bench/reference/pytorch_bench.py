"""Plain-PyTorch reference of `sgdwalk bench`.

    /usr/bin/python3 bench/reference/pytorch_bench.py EXCHANGE_DIR

Reads EXCHANGE_DIR/workload.json and the raw little-endian files next to it (the format is in
bench/reference/README.md), times the workloads SgdWalk times, and prints one JSON object on the last line of
stdout. The code is deliberately the ordinary way a researcher writes these things in PyTorch, so that the ratio
SgdWalk / PyTorch says how SgdWalk compares with everyday PyTorch code, not with a tuned kernel.
On any error: one line on stderr naming the culprit, exit code 1.
"""
import ctypes
import json
import math
import os
import platform
import resource
import statistics
import sys
import time
from collections import OrderedDict

try:
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as e:
    print(f"pytorch_bench: {e} (run bench/reference/ensure-reference.sh)", file=sys.stderr)
    sys.exit(1)

CLASSES = 10
WARMUP_STEPS = 5          # train steps before timing (first-call allocations, oneDNN primitive caches)
DEFAULT_TRAIN_STEPS = 50  # individually timed train steps per repeat, unless workload.json says `train_steps`


class BenchError(Exception):
    """A problem with the input: reported as one line on stderr, exit code 1."""


# ---------------------------------------------------------------------------------------------------------------
# The models, defined like SgdWalk's src/SgdWalk/Models/Mlp.cs and SmallCnn.cs. The submodule names are SgdWalk's
# too, so model.named_parameters() gives the same names in the same order (weight, bias per layer, forward order).

class Mlp(nn.Module):
    def __init__(self, channels, height, width):
        super().__init__()
        self.layers = nn.Sequential(OrderedDict([
            ("fc1", nn.Linear(channels * height * width, 500)),
            ("bn1", nn.BatchNorm1d(500)),
            ("relu1", nn.ReLU()),
            ("fc2", nn.Linear(500, 350)),
            ("bn2", nn.BatchNorm1d(350)),
            ("relu2", nn.ReLU()),
            ("fc3", nn.Linear(350, CLASSES)),
        ]))

    def forward(self, x):
        return self.layers(torch.flatten(x, 1))


class SmallCnn(nn.Module):
    def __init__(self, channels, height, width):
        super().__init__()
        self.features = nn.Sequential(OrderedDict([
            ("conv1", nn.Conv2d(channels, 32, 3, padding=1)),
            ("bn1", nn.BatchNorm2d(32)),
            ("relu1", nn.ReLU()),
            ("pool1", nn.MaxPool2d(2)),
            ("conv2", nn.Conv2d(32, 64, 3, padding=1)),
            ("bn2", nn.BatchNorm2d(64)),
            ("relu2", nn.ReLU()),
            ("pool2", nn.MaxPool2d(2)),
        ]))
        # Each pool floors the size in half: 28 -> 14 -> 7.
        self.classifier = nn.Sequential(OrderedDict([
            ("fc1", nn.Linear(64 * (height // 4) * (width // 4), 128)),
            ("relu1", nn.ReLU()),
            ("fc2", nn.Linear(128, CLASSES)),
        ]))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


MODELS = {"mlp": Mlp, "small-cnn": SmallCnn}


# ---------------------------------------------------------------------------------------------------------------
# Reading the exchange folder.

REQUIRED = {
    "model": str, "threads": int, "repeats": int, "alphas": list, "probe_chunk": int, "train_batch": int,
    "lr": (int, float), "hvp_samples": int, "hvp_chunk": int, "matmul_size": int, "parameters": list,
    "probe_count": int, "input_shape": list,
}

OPTIONAL = {"seed": 0, "train_steps": DEFAULT_TRAIN_STEPS}


def read_workload(folder):
    path = os.path.join(folder, "workload.json")
    try:
        with open(path) as f:
            w = json.load(f)
    except OSError as e:
        raise BenchError(f"{path}: {e.strerror}")
    except json.JSONDecodeError as e:
        raise BenchError(f"{path}: not valid JSON ({e})")
    if not isinstance(w, dict):
        raise BenchError(f"{path}: not a JSON object")
    for key, kind in REQUIRED.items():
        if key not in w:
            raise BenchError(f"{path}: field '{key}' is missing")
        if isinstance(w[key], bool) or not isinstance(w[key], kind):
            raise BenchError(f"{path}: field '{key}' has the wrong type ({type(w[key]).__name__})")
    if w["model"] not in MODELS:
        raise BenchError(f"{path}: model '{w['model']}' unknown (expected one of {', '.join(MODELS)})")
    for key in ("threads", "repeats", "probe_chunk", "train_batch", "hvp_samples", "hvp_chunk", "matmul_size",
                "probe_count"):
        if w[key] < 1:
            raise BenchError(f"{path}: field '{key}' must be at least 1, is {w[key]}")
    for key in ("train_batch", "hvp_samples"):
        if w[key] > w["probe_count"]:
            raise BenchError(f"{path}: field '{key}' ({w[key]}) exceeds probe_count ({w['probe_count']})")
    if not w["alphas"] or not all(isinstance(a, (int, float)) and not isinstance(a, bool) for a in w["alphas"]):
        raise BenchError(f"{path}: field 'alphas' must be a non-empty list of numbers")
    if len(w["input_shape"]) != 3 or not all(isinstance(d, int) and d >= 1 for d in w["input_shape"]):
        raise BenchError(f"{path}: field 'input_shape' must be [C, H, W], is {w['input_shape']}")
    for key, default in OPTIONAL.items():
        value = w.setdefault(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or (key == "train_steps" and value < 1):
            raise BenchError(f"{path}: optional field '{key}' must be an integer{' >= 1' * (key == 'train_steps')}")
    for i, p in enumerate(w["parameters"]):
        if not (isinstance(p, dict) and isinstance(p.get("name"), str) and isinstance(p.get("shape"), list)):
            raise BenchError(f"{path}: parameters[{i}] must be {{\"name\": str, \"shape\": [int, ...]}}")
    return w


def read_raw(folder, name, dtype, count):
    """A headerless little-endian file of exactly `count` values, as a torch tensor."""
    path = os.path.join(folder, name)
    if not os.path.isfile(path):
        raise BenchError(f"{path}: missing")
    expected = count * np.dtype(dtype).itemsize
    size = os.path.getsize(path)
    if size != expected:
        raise BenchError(f"{path}: {size} bytes, expected {expected} ({count} values of {np.dtype(dtype).name})")
    return torch.from_numpy(np.fromfile(path, dtype=dtype))


def check_parameters(model, model_name, declared):
    """Shapes must match SgdWalk's list exactly (else the flat files would be cut wrongly); returns whether the
    names match too (informational: a renamed field in C# is harmless as long as order and shapes agree)."""
    ours = [(name, list(p.shape)) for name, p in model.named_parameters()]
    theirs = [(p["name"], p["shape"]) for p in declared]
    if len(ours) != len(theirs):
        raise BenchError(f"workload.json lists {len(theirs)} parameters, the PyTorch {model_name} has {len(ours)}")
    for i, ((name, shape), (their_name, their_shape)) in enumerate(zip(ours, theirs)):
        if shape != their_shape:
            raise BenchError(f"parameter {i} shape mismatch: workload.json has {their_name} {their_shape}, "
                             f"the PyTorch {model_name} has {name} {shape}")
    return all(a[0] == b[0] for a, b in zip(ours, theirs))


def write_parameters(model, flat):
    """Copies a flat vector into the parameters (in model.parameters() order). A copy, not
    torch.nn.utils.vector_to_parameters, which would make the parameters views of `flat`."""
    with torch.no_grad():
        offset = 0
        for p in model.parameters():
            p.copy_(flat[offset:offset + p.numel()].view_as(p))
            offset += p.numel()


# ---------------------------------------------------------------------------------------------------------------
# Peak resident memory. Writing "5" to /proc/self/clear_refs resets VmHWM (Linux >= 4.0), which gives a peak per
# workload. It also resets what getrusage reports, so the process-wide peak is the max of all readings.

def reset_peak_rss():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def vm_hwm_mb():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def cpu_seconds():
    """(CPU seconds all cores have been busy, from /proc/stat; this process's own CPU seconds). Their difference
    over the run is the work of other processes: the benchmark's figures are only comparable when it is ~0."""
    try:
        with open("/proc/stat") as f:
            ticks = [int(x) for x in f.readline().split()[1:9]]  # user nice system idle iowait irq softirq steal
    except (OSError, ValueError):
        return None
    busy = sum(ticks) - ticks[3] - ticks[4]
    return busy / os.sysconf("SC_CLK_TCK"), sum(os.times()[:2])


# ---------------------------------------------------------------------------------------------------------------
# The workloads.

def ms_since(t0):
    return (time.perf_counter() - t0) * 1000


def mean_loss(model, inputs, targets, chunk):
    """Mean cross-entropy over `inputs`, one forward pass per chunk; in train mode each chunk is normalised with
    its own batch statistics (the definition of the loss in SgdWalk's `--bn batch-stats`)."""
    total = 0.0
    for i in range(0, len(inputs), chunk):
        x, y = inputs[i:i + chunk], targets[i:i + chunk]
        total += F.cross_entropy(model(x), y).item() * len(x)  # .item(): float32 loss -> python float64
    return total / len(inputs)


def bench_train_step(model, end, inputs, targets, w, steps_per_repeat):
    """Median of individually timed plain SGD steps (as the C# side times them), starting from `end`.
    Each step's batch (train_batch distinct random probe samples) is gathered before its timer starts."""
    optimizer = torch.optim.SGD(model.parameters(), lr=w["lr"])
    model.train()

    def step(x, y):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()

    def random_batch():
        index = torch.randperm(len(inputs))[:w["train_batch"]]
        return inputs[index], targets[index]

    for _ in range(WARMUP_STEPS):
        step(*random_batch())
    write_parameters(model, end)  # the warm-up moved them
    times = []
    for _ in range(w["repeats"] * steps_per_repeat):
        x, y = random_batch()
        t0 = time.perf_counter()
        step(x, y)
        times.append(ms_since(t0))
    return statistics.median(times)


def segment_profile(model, start, end, direction, alphas, inputs, targets, chunk):
    """Loss at θ = start + α·direction for each α: exactly start at α = 0, exactly end at α = 1."""
    losses = []
    model.train()
    with torch.no_grad():
        for alpha in alphas:
            if alpha == 0:
                theta = start
            elif alpha == 1:
                theta = end
            else:
                theta = torch.add(start, direction, alpha=alpha)  # float32, like SgdWalk's copy_(start).add_(d, α)
            write_parameters(model, theta)
            losses.append(mean_loss(model, inputs, targets, chunk))
    return losses


def hessian_vector_product(model, v, inputs, targets, chunk):
    """H·v of the mean loss over `inputs` at the current parameters, by double backward. The loss is the
    sample-weighted sum of the chunk losses (each chunk with its own BatchNorm statistics), built in one graph."""
    params = list(model.parameters())
    model.train()
    n = len(inputs)
    loss = 0.0
    for i in range(0, n, chunk):
        x, y = inputs[i:i + chunk], targets[i:i + chunk]
        loss = loss + F.cross_entropy(model(x), y) * (len(x) / n)
    grads = torch.autograd.grad(loss, params, create_graph=True)
    vs = [part.view_as(p) for part, p in zip(torch.split(v, [p.numel() for p in params]), params)]
    grad_dot_v = sum((g * vi).sum() for g, vi in zip(grads, vs))
    hv = torch.autograd.grad(grad_dot_v, params)
    return torch.cat([h.reshape(-1) for h in hv])


def matmul_gflops(size, repeats):
    a = torch.randn(size, size)
    b = torch.randn(size, size)
    a @ b  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - t0)
    return 2 * size ** 3 / statistics.median(times) / 1e9


def blas_description():
    """Which BLAS this process has actually loaded (torch reports only BLAS_INFO=generic on Debian): OpenBLAS's
    own configuration string when it is OpenBLAS, and the mapped BLAS/LAPACK libraries."""
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1]
            base = os.path.basename(path)
            if path.startswith("/") and any(k in base for k in ("blas", "lapack", "mkl")):
                libs.add(os.path.realpath(path))
    mapped = ", ".join(sorted(libs)) or "no BLAS library mapped"
    for lib in sorted(libs):
        try:
            handle = ctypes.CDLL(lib)
            handle.openblas_get_config.restype = ctypes.c_char_p
            # (Not openblas_get_num_threads: the OpenMP build follows torch's OpenMP thread count at each call.)
            return f"{handle.openblas_get_config().decode()} ({mapped})"
        except (OSError, AttributeError):
            continue
    return mapped


# ---------------------------------------------------------------------------------------------------------------

def run(folder):
    w = read_workload(folder)
    # Threads first, before torch does any work: intra-op threads are the benchmark's variable; one inter-op
    # thread matches SgdWalk (nothing here uses inter-op parallelism anyway).
    torch.set_num_threads(w["threads"])
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass  # only allowed before the first parallel work; harmless if refused
    seed = w["seed"]
    load_at_start = os.getloadavg()[0]
    cpu_at_start, wall_at_start = cpu_seconds(), time.perf_counter()

    c, h, wd = w["input_shape"]
    model = MODELS[w["model"]](c, h, wd)
    names_match = check_parameters(model, w["model"], w["parameters"])
    numel = sum(p.numel() for p in model.parameters())
    start = read_raw(folder, "start.f32", "<f4", numel)
    end = read_raw(folder, "end.f32", "<f4", numel)
    v = read_raw(folder, "hvp-vector.f32", "<f4", numel)
    n = w["probe_count"]
    inputs = read_raw(folder, "probe-inputs.f32", "<f4", n * c * h * wd).view(n, c, h, wd)
    targets = read_raw(folder, "probe-targets.i64", "<i8", n)
    bad = ((targets < 0) | (targets >= CLASSES)).nonzero()
    if len(bad):
        i = bad[0].item()
        raise BenchError(f"probe-targets.i64: label {targets[i].item()} at index {i} is outside 0..{CLASSES - 1}")
    repeats = w["repeats"]
    result = {}
    peaks = {"setup": vm_hwm_mb()}  # the peak so far: torch imported, model built, files read

    def measured(name, fn):
        """Runs one workload from θ = end with a fresh seed, recording its peak resident memory."""
        torch.manual_seed(seed)
        write_parameters(model, end)
        reset = reset_peak_rss()
        value = fn()
        peaks[name] = vm_hwm_mb() if reset else None
        return value

    # a. plain SGD steps.
    steps = w["train_steps"]
    result["train_step_ms"] = measured("train_step", lambda: bench_train_step(model, end, inputs, targets, w, steps))

    # b. the segment profile: `repeats` timed profiles, losses of the last. The warm-up is one loss evaluation
    # (one α): a whole warm-up profile would double the cost (tens of seconds for small-cnn at one thread) while
    # every forward pass of a profile has the same shapes as the warm-up's.
    direction = end - start  # computed once, float32

    def profile():
        with torch.no_grad():
            model.train()
            mean_loss(model, inputs, targets, w["probe_chunk"])
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            losses = segment_profile(model, start, end, direction, w["alphas"], inputs, targets, w["probe_chunk"])
            times.append(ms_since(t0))
        return statistics.median(times), losses

    result["profile_ms"], result["profile_losses"] = measured("profile", profile)

    # c. one Hessian-vector product at θ = end on the first hvp_samples probe samples.
    def hvp():
        x, y = inputs[:w["hvp_samples"]], targets[:w["hvp_samples"]]
        hessian_vector_product(model, v, x, y, w["hvp_chunk"])
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            hv = hessian_vector_product(model, v, x, y, w["hvp_chunk"])
            times.append(ms_since(t0))
        return statistics.median(times), hv

    result["hvp_ms"], hv = measured("hvp", hvp)
    result["hvp_norm"] = hv.double().norm().item()
    result["hvp_dot"] = torch.dot(v.double(), hv.double()).item()

    # d. dense float32 matmul.
    result["matmul_gflops"] = measured("matmul", lambda: matmul_gflops(w["matmul_size"], repeats))

    # e. peak resident memory of the whole process, and per workload when the kernel lets us reset the peak.
    whole = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["peak_rss_mb"] = max([whole] + [p for p in peaks.values() if p is not None])
    if all(p is not None for p in peaks.values()):
        result["peak_rss_mb_per_workload"] = peaks

    # Cores kept busy by other processes while we ran, on average (steal time counts: it is the VM's neighbours).
    cpu_at_end, wall = cpu_seconds(), time.perf_counter() - wall_at_start
    other_load = None
    if cpu_at_start and cpu_at_end:
        other = (cpu_at_end[0] - cpu_at_start[0]) - (cpu_at_end[1] - cpu_at_start[1])
        other_load = round(max(other, 0.0) / wall, 2)

    return {
        "torch_version": torch.__version__,
        "python_version": platform.python_version(),
        "blas": blas_description(),
        "mkldnn": torch.backends.mkldnn.is_available(),
        "threads": torch.get_num_threads(),
        "interop_threads": torch.get_num_interop_threads(),
        "model": w["model"],
        "seed": seed,
        "train_steps_timed": repeats * steps,
        **result,
        "parameter_names_match": names_match,
        "load_average_at_start": load_at_start,
        "other_load": other_load,
    }


def finite(value):
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, (list, dict)):
        return all(finite(x) for x in (value.values() if isinstance(value, dict) else value))
    return True


def main():
    if len(sys.argv) != 2:
        print("usage: /usr/bin/python3 pytorch_bench.py EXCHANGE_DIR", file=sys.stderr)
        return 1
    try:
        report = run(sys.argv[1])
    except BenchError as e:
        print(f"pytorch_bench: {e}", file=sys.stderr)
        return 1
    except Exception as e:  # anything unexpected still ends as one line naming it
        message = " ".join(str(e).split())
        print(f"pytorch_bench: {type(e).__name__}: {message}", file=sys.stderr)
        return 1
    # NaN or infinity (diverged parameters) would make invalid JSON: refuse, naming the keys.
    bad = [key for key, value in report.items() if not finite(value)]
    if bad:
        print(f"pytorch_bench: non-finite result in {', '.join(bad)}", file=sys.stderr)
        return 1
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
