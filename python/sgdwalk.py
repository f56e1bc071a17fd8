"""SgdWalk's Python companion: standard library, torch and numpy only (Debian's python3-torch works).

    import sgdwalk
    sgdwalk.save_model(model, "net.pt", input_shape=(1, 28, 28), classes=10)   # TorchScript + sidecar
    sgdwalk.save_dataset("data.npz", images, labels)                            # a dataset for --dataset npz:
    sgdwalk.load_step(model, "runs/r/export/step-100.safetensors")               # an exported θ_t into your module
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

# --- exported steps and run files ----------------------------------------------------------------------------------
