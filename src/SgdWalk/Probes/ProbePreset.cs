namespace SgdWalk.Probes;

/// <summary>Probe sets ordered by cost.</summary>
public enum ProbePreset
{
    /// <summary>Nothing but the training loss: plain training, the baseline for overhead measurements.</summary>
    None,

    /// <summary>Per-step scalars: ‖g‖, ‖u‖, ‖θ−θ0‖, gradient and update cosines. Costs a few vector operations per step.</summary>
    Cheap,

    /// <summary>Cheap plus the paper's segment profiles on the batch and probe views, on the recorded steps.</summary>
    Paper,
}
