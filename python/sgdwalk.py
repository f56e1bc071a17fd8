"""SgdWalk's Python companion: standard library, torch and numpy only (Debian's python3-torch works).

    import sgdwalk
    sgdwalk.save_model(model, "net.pt", input_shape=(1, 28, 28), classes=10)   # TorchScript + sidecar
    sgdwalk.save_dataset("data.npz", images, labels)                            # a dataset for --dataset npz:
    sgdwalk.load_step(model, "runs/r/export/step-100.safetensors")               # an exported θ_t into your module
    rows = sgdwalk.read_csv("runs/r/steps.csv")                                  # a run's CSV files
"""

# --- models: TorchScript + sidecar -------------------------------------------------------------------------------

# --- datasets: .npz ------------------------------------------------------------------------------------------------

# --- exported steps and run files ----------------------------------------------------------------------------------
