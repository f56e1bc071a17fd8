namespace SgdWalk.Platform;

/// <summary>
/// The process-wide libtorch switches, set in one place: NNPACK off (machine-independent convolutions, no warning
/// per call) and the oneDNN convolution decision of <see cref="ConvolutionGuard"/> (measured once per process, cached
/// per machine). Idempotent and cheap after the first call. Called by the library's entry points (<c>Trainer.Run</c>,
/// <c>Trainer.Resume</c>, the <c>WalkRecorder</c> of a user's own loop, <c>ModelZoo.Create</c>, loading a TorchScript
/// model) and by the command line before it runs anything, so no caller can forget a switch.
/// </summary>
public static class ProcessSwitches
{
    public static void Configure()
    {
        Nnpack.Disable();
        ConvolutionGuard.Configure();
    }
}
