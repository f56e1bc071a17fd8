"""SgdWalk's Python companion: standard library, torch and numpy only (Debian's python3-torch works).

    import sgdwalk
    sgdwalk.save_model(model, "net.pt", input_shape=(1, 28, 28), classes=10)   # TorchScript + sidecar
    sgdwalk.save_dataset("data.npz", images, labels)                            # a dataset for --dataset npz:
    sgdwalk.load_step(model, "runs/r/export/step-100")                           # an exported θ_t into your module
    rows = sgdwalk.read_csv("runs/r/steps.csv")                                  # a run's CSV files
"""

# --- models: TorchScript + sidecar -------------------------------------------------------------------------------

import hashlib as _hashlib
import json as _json


def _sha256(path):
    digest = _hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_model(model, path, input_shape, classes, method="script"):
    """Save `model` as TorchScript at `path` (for `sgdwalk train --model torchscript:PATH`) and describe it in
    `PATH.json`: the input shape (C, H, W) or (H, W) and class count it was made for, its class, the torch version,
    how it was made and the file's SHA-256. SgdWalk checks the sidecar against the dataset and records it in run.json.

    method="script" (the default) uses torch.jit.script, which keeps BatchNorm's train/eval switch and Python control
    flow. method="trace" is accepted so a module that cannot be scripted still gets a file and a sidecar, but SgdWalk
    refuses traced modules: a trace freezes BatchNorm in the mode it was traced in. The model is saved as it is
    (float32 parameters, all trainable); its weights are the walk's starting point θ_0. Returns the sidecar as a dict.
    """
    import torch

    shape = tuple(int(d) for d in input_shape)
    if len(shape) not in (2, 3) or any(d <= 0 for d in shape):
        raise ValueError(f"input_shape must be (C, H, W) or (H, W) of positive sizes, got {input_shape!r}")
    if int(classes) < 2:
        raise ValueError(f"classes must be at least 2, got {classes!r}")
    if method not in ("script", "trace"):
        raise ValueError(f"method must be 'script' or 'trace', got {method!r}")
    original = model
    if isinstance(model, torch.jit.ScriptModule):
        scripted, method = model, ("trace" if isinstance(model, torch.jit.TopLevelTracedModule) else "script")
    elif method == "script":
        scripted = torch.jit.script(model)
    else:
        example = torch.zeros((2,) + (shape if len(shape) == 3 else (1,) + shape))
        scripted = torch.jit.trace(model, example)
    scripted.save(str(path))
    sidecar = {
        "format": "sgdwalk-torchscript",
        "version": 1,
        "input_shape": list(shape),
        "classes": int(classes),
        "class_name": type(original).__name__ if not isinstance(original, torch.jit.ScriptModule) else original.original_name,
        "module": type(original).__module__,
        "method": method,
        "torch_version": torch.__version__,
        "parameters": sum(p.numel() for p in scripted.parameters()),
        "sha256": _sha256(path),
    }
    with open(str(path) + ".json", "w") as f:
        _json.dump(sidecar, f, indent=2)
        f.write("\n")
    return sidecar


# --- datasets: .npz ------------------------------------------------------------------------------------------------

import csv
import json
import os
import struct

import numpy as np

_SPLITS = (("images", "labels"), ("test_images", "test_labels"), ("val_images", "val_labels"))


def _numpy(array, name):
    """A numpy array from a numpy array, a torch tensor or a nested list."""
    if array is None:
        return None
    if hasattr(array, "detach"):  # a torch tensor
        array = array.detach().cpu().numpy()
    array = np.asarray(array)
    if array.dtype == object:
        raise ValueError(f"{name}: an object array; pass numbers")
    return array


def save_dataset(path, images, labels, test_images=None, test_labels=None, val_images=None, val_labels=None,
                 classes=None, compressed=True):
    """Writes a dataset for `sgdwalk train --dataset npz:PATH`.

    images: (N, C, H, W) or (N, H, W), uint8 (SgdWalk scales it to [0, 1]) or float32 (taken as given; float64 is
    converted to float32 here, other types are refused). labels: N integers from 0. The test and validation splits are
    optional (without val_images SgdWalk holds out the end of the training images, --val-size). classes: the number of
    classes when the labels do not show the largest one. The same checks as SgdWalk's are made here, so a file this
    writes is one SgdWalk reads. Returns the path.
    """
    arrays = {}
    first = None
    for image_key, label_key, x, y in (("images", "labels", images, labels), ("test_images", "test_labels", test_images, test_labels),
                                       ("val_images", "val_labels", val_images, val_labels)):
        x, y = _numpy(x, image_key), _numpy(y, label_key)
        if (x is None) != (y is None):
            raise ValueError(f"{image_key} and {label_key} come in pairs")
        if x is None:
            continue
        if x.dtype == np.float64:
            x = x.astype(np.float32)
        if x.dtype not in (np.uint8, np.float32):
            raise ValueError(f"{image_key}: {x.dtype}; pass uint8 (scaled to [0, 1] by SgdWalk) or float32 (taken as given)")
        if x.ndim not in (3, 4) or x.shape[0] == 0:
            raise ValueError(f"{image_key}: shape {x.shape}; pass (N, C, H, W) or (N, H, W) with N > 0")
        if x.dtype == np.float32 and not np.isfinite(x).all():
            raise ValueError(f"{image_key}: not every pixel is finite")
        if not np.issubdtype(y.dtype, np.integer):
            if np.issubdtype(y.dtype, np.floating) and np.all(np.mod(y, 1) == 0):
                y = y.astype(np.int64)
            else:
                raise ValueError(f"{label_key}: {y.dtype}; labels are integers")
        if y.shape != (x.shape[0],):
            raise ValueError(f"{label_key}: shape {y.shape}; expected ({x.shape[0]},), one label per image")
        if (y < 0).any():
            raise ValueError(f"{label_key}: negative labels")
        chw = x.shape[1:] if x.ndim == 4 else (1,) + x.shape[1:]
        if first is not None and chw != first:
            raise ValueError(f"{image_key}: images are {chw} (C, H, W) but the training images are {first}")
        first = first or chw
        arrays[image_key] = np.ascontiguousarray(x)
        arrays[label_key] = np.ascontiguousarray(y.astype(np.int64))
    if "images" not in arrays:
        raise ValueError("images and labels are required")
    if classes is not None:
        largest = max(int(arrays[k].max()) for _, k in _SPLITS if k in arrays)
        if int(classes) <= largest:
            raise ValueError(f"classes = {classes} but a label is {largest}")
        arrays["classes"] = np.array(int(classes), dtype=np.int64)
    (np.savez_compressed if compressed else np.savez)(path, **arrays)
    # numpy appends .npz to a name without it; return the name actually written.
    return path if str(path).endswith(".npz") else str(path) + ".npz"


# --- exported steps and run files ----------------------------------------------------------------------------------

_SAFETENSORS_TYPES = {"F64": np.float64, "F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32,
                      "I16": np.int16, "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_}


def read_safetensors(path):
    """A .safetensors file as {name: torch.Tensor}, with the standard library and numpy (no safetensors package needed)."""
    import torch

    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        start, end = entry["data_offsets"]
        array = np.frombuffer(data[start:end], dtype=_SAFETENSORS_TYPES[entry["dtype"]]).reshape(entry["shape"])
        tensors[name] = torch.from_numpy(array.copy())
    return tensors


def read_state(path, which="theta"):
    """An exported step as a state_dict {name: tensor}.

    path: a .pt file (`sgdwalk export --format pt`, read with torch.load(weights_only=True)), a .safetensors file, or
    an export folder (any format; which = "theta" for θ_t, "phi" for the floor point φ_t), each with its buffers.
    """
    import torch

    path = str(path)
    if os.path.isdir(path):
        with open(os.path.join(path, "index.json")) as f:
            index = json.load(f)
        kinds = {"theta": "parameter", "phi": "floor-point"}
        if which not in kinds:
            raise ValueError(f"which must be theta or phi, not {which!r}")
        # Only the files index.json names: a stray theta.pt beside them (an older export's) is not this step.
        files = {t["file"] for t in index["tensors"] if t["kind"] == kinds[which]}
        if not files:
            raise FileNotFoundError(f"{path}: the export has no {which} ({index.get('floor_point_note', '')})")
        if len(files) == 1 and next(iter(files)).endswith((".pt", ".safetensors")):
            return read_state(os.path.join(path, next(iter(files))))
        wanted = [t for t in index["tensors"] if t["kind"] in (kinds[which], "buffer") and t["file"].endswith(".npy")]
        return {t["name"]: torch.from_numpy(np.load(os.path.join(path, t["file"]))) for t in wanted}
    if path.endswith(".safetensors"):
        return read_safetensors(path)
    return torch.load(path, map_location="cpu", weights_only=True)


def load_step(model, path, which="theta"):
    """Loads an exported step into your own nn.Module with strict key matching (see read_state); returns the model.

    The keys are the parameter and buffer names SgdWalk's model has: the Python names of a TorchScript model, or for a
    zoo model the names `sgdwalk export` lists in index.json (docs/pytorch.md).
    """
    model.load_state_dict(read_state(path, which), strict=True)
    return model


def read_csv(path):
    """A run's CSV file (steps.csv, profiles.csv, epochs.csv) as {column: numpy array}.

    Numeric columns are float64 arrays with NaN for an empty cell ("not measured"); other columns (profiles.csv's view)
    are arrays of strings.
    """
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    if not rows:
        raise ValueError(f"{path}: empty file")
    header, body = rows[0], rows[1:]
    columns = {}
    for i, name in enumerate(header):
        cells = [row[i] if i < len(row) else "" for row in body]
        try:
            columns[name] = np.array([float(c) if c != "" else np.nan for c in cells], dtype=np.float64)
        except ValueError:
            columns[name] = np.array(cells, dtype=str)
    return columns


def read_run(folder):
    """A run folder: {"run": run.json as a dict, "steps": ..., "profiles": ..., "epochs": ...} (read_csv; absent files omitted)."""
    folder = str(folder)
    with open(os.path.join(folder, "run.json")) as f:
        run = {"run": json.load(f)}
    for name in ("steps", "profiles", "epochs"):
        file = os.path.join(folder, name + ".csv")
        if os.path.exists(file):
            run[name] = read_csv(file)
    return run
