namespace SgdWalk.Training;

/// <summary>The update rule (`--optimizer`); run.json spells the names in kebab case (sgd, floor-sgd, height-sgd).</summary>
public enum OptimizerKind
{
    /// <summary>Plain SGD (with the run's momentum and weight decay).</summary>
    Sgd,

    /// <summary>The intervention that lands on the valley floor of each SGD step.</summary>
    FloorSgd,

    /// <summary>The intervention that lands between the floor and SGD's landing point (`--height-fraction`).</summary>
    HeightSgd,
}

/// <summary>The data view of floor-sgd's and height-sgd's line search (`--floor-view`).</summary>
public enum FloorSearchView
{
    /// <summary>The step's own mini-batch.</summary>
    Batch,

    /// <summary>The fixed probe view.</summary>
    Probe,
}

/// <summary>`--compat`: whose conventions the measurements follow.</summary>
public enum CompatMode
{
    /// <summary>This project's definitions (docs/metrics.md).</summary>
    None,

    /// <summary>The authors' released conventions (α = 0…0.9, whole training split as probe, chunks of 100, weight-decayed cosine).</summary>
    Authors,
}
