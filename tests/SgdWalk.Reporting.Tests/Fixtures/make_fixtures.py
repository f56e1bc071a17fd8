#!/usr/bin/env python3
"""Regenerates the report fixtures (run from this folder): python3 make_fixtures.py [real-run-folder]

fashion-mnist-60: the first 60 steps of a real 550-step Fashion-MNIST run (`sgdwalk train` defaults,
  --record steps:0-49+every:10), cut down to stay small; needs the real run folder as argument.
synthetic-3-epochs: 3 epochs x 12 steps with parabolic profiles, plus curvature columns (lambda_max,
  step_sharpness, floor_alpha_predicted) so the sharpness figure is drawn.
sweep-2x2: 2 learning rates x 2 batch sizes, 6 steps each.
Deterministic: no randomness, numbers written with repr (round-trip).
"""
import csv, json, math, os, shutil, sys

VIEWS = ["batch", "probe"]
PER_VIEW = ["loss_start", "loss_end", "floor_alpha", "floor_loss", "height", "height_end", "interior", "nonconvexity", "bump"]
BASE = ["step", "epoch", "lr", "batch_size", "train_loss", "grad_norm", "step_norm", "dist_init", "cos_grad", "cos_update"]


def cut_real(source, target, last_step=59):
    os.makedirs(target, exist_ok=True)
    shutil.copy(os.path.join(source, "run.json"), target)
    shutil.copy(os.path.join(source, "epochs.csv"), target)
    for name in ("steps.csv", "profiles.csv"):
        with open(os.path.join(source, name)) as f, open(os.path.join(target, name), "w", newline="") as g:
            rows = list(csv.reader(f))
            w = csv.writer(g, lineterminator="\n")
            w.writerow(rows[0])
            w.writerows(r for r in rows[1:] if int(r[0]) <= last_step)


def manifest(lr, batch, seed, steps, epochs, extra=None):
    return {
        "tool": "SgdWalk", "status": "completed", "message": None, "seed": seed,
        "options": {"model": "mlp", "dataset": "synthetic", "learning_rate": lr, "batch_size": batch, "epochs": epochs,
                    "seed": seed, "alphas": [0, 0.25, 0.5, 0.75, 1], "probe_size": 500, "batch_norm": "batch_stats", **(extra or {})},
        "versions": {"sgdwalk": "0.1.0"}, "machine": {"name": "fixture"}, "threads": 1,
        "started_utc": "2026-01-01T00:00:00+00:00", "finished_utc": "2026-01-01T00:01:00+00:00",
        "timings_seconds": {"total_s": 60.0}, "counts": {"steps": steps, "steps_per_epoch": steps // epochs, "epochs": epochs},
    }


def synthetic(target, lr, batch, seed, epochs, per_epoch, alphas, curvature):
    """Profiles f(a) = floor + c (a - a*)^2 with a floor that moves over steps; bigger lr -> higher above the floor."""
    os.makedirs(target, exist_ok=True)
    steps = epochs * per_epoch
    with open(os.path.join(target, "run.json"), "w") as f:
        json.dump(manifest(lr, batch, seed, steps, epochs), f, indent=2)
    extra = ["lambda_max", "step_sharpness", "floor_alpha_predicted"] if curvature else []
    header = BASE + [f"{v}_{c}" for v in VIEWS for c in PER_VIEW] + extra
    step_rows, profile_rows = [], []
    for t in range(steps):
        epoch = t // per_epoch + 1
        level = 2.0 * math.exp(-t / 10) + 0.3
        row = {"step": t, "epoch": epoch, "lr": lr, "batch_size": batch, "train_loss": round(level + 0.05 * math.sin(t), 6),
               "grad_norm": round(1 + 0.1 * math.cos(t), 6), "step_norm": round(lr * (1 + 0.1 * math.cos(t)), 6),
               "dist_init": round(math.sqrt(t) * lr * 10 / math.sqrt(batch / 50), 6),
               "cos_grad": "" if t == 0 else round(-0.3 + 0.2 * math.sin(1.7 * t), 6),
               "cos_update": "" if t == 0 else round(-0.25 + 0.2 * math.sin(1.3 * t), 6)}
        for v, view in enumerate(VIEWS):
            a_star = 1.0 if t == 0 else round(0.35 + 0.3 * ((t * (3 + v)) % 7) / 6, 6)
            c = round(lr * 4 * (1 + 0.2 * v), 6)
            f = [round(level + c * (a - a_star) ** 2, 6) for a in alphas]
            k = f.index(min(f))
            floor_alpha, floor = a_star, level
            interior = 1 if 0 < floor_alpha < 1 and floor < min(f[0], f[-1]) - 1e-9 else 0
            row.update({f"{view}_loss_start": f[0], f"{view}_loss_end": f[-1], f"{view}_floor_alpha": floor_alpha,
                        f"{view}_floor_loss": floor, f"{view}_height": round(f[0] - floor, 6), f"{view}_height_end": round(f[-1] - floor, 6),
                        f"{view}_interior": interior, f"{view}_nonconvexity": 0 if t % 5 else 0.1, f"{view}_bump": 0 if t % 4 else 0.01})
            profile_rows += [[t, view, a, fa, round(0.5 + 0.4 * (1 - fa / 3), 6)] for a, fa in zip(alphas, f)]
        if curvature:
            row.update({"lambda_max": round(1.5 / lr * (1 - math.exp(-t / 8)), 6) if t % 3 == 0 else "",
                        "step_sharpness": round(1.2 / lr * (1 - math.exp(-t / 6)) + 0.1, 6),
                        "floor_alpha_predicted": round(1 / (1.2 * (1 - math.exp(-t / 6)) + 0.1 * lr), 6)})
        step_rows.append([row.get(h, "") for h in header])
    with open(os.path.join(target, "steps.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n"); w.writerow(header); w.writerows(step_rows)
    with open(os.path.join(target, "profiles.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n"); w.writerow(["step", "view", "alpha", "loss", "accuracy"]); w.writerows(profile_rows)
    with open(os.path.join(target, "epochs.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["epoch", "step", "train_loss", "train_acc", "val_loss", "val_acc", "test_loss", "test_acc", "wall_s"])
        for e in range(1, epochs + 1):
            acc = round(0.6 + 0.1 * e - 0.2 * lr + 0.0001 * batch, 6)
            w.writerow([e, e * per_epoch, round(1 / e, 6), acc, round(1.1 / e, 6), round(acc - 0.02, 6), round(1.15 / e, 6), round(acc - 0.03, 6), 10.0 * e])


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    if len(sys.argv) > 1:
        cut_real(sys.argv[1], os.path.join(here, "fashion-mnist-60"))
    synthetic(os.path.join(here, "synthetic-3-epochs"), 0.1, 100, 1111, 3, 12, [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0], True)
    for lr in (0.05, 0.2):
        for batch in (50, 200):
            synthetic(os.path.join(here, "sweep-2x2", f"lr{lr}-bs{batch}"), lr, batch, 1, 1, 6, [0, 0.25, 0.5, 0.75, 1.0], False)
