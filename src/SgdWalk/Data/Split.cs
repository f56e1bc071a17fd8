namespace SgdWalk.Data;

/// <summary>
/// Where the training and validation rows come from in the official training set: training = the first rows,
/// validation = the last <c>ValidationSize</c> rows (the authors' convention), so the two never overlap.
/// </summary>
internal readonly record struct Split(int Train, int ValidationStart, int Validation)
{
    public const int DefaultValidationSize = 5000;

    public static Split Resolve(string dataset, int available, DataOptions options)
    {
        var validation = options.ValidationSize ?? DefaultValidationSize;
        if (validation < 0)
            throw new ArgumentException($"validation size {validation} is negative", nameof(options));
        if (validation >= available)
        {
            throw new ArgumentException(
                $"validation size {validation} must be smaller than the {available} images of the {dataset} training set",
                nameof(options));
        }

        var remaining = available - validation;
        var train = options.TrainSize ?? remaining;
        if (train < 1 || train > remaining)
        {
            throw new ArgumentException(
                $"training size {train} must be in 1..{remaining} ({available} {dataset} training images minus {validation} for validation)",
                nameof(options));
        }

        return new Split(train, available - validation, validation);
    }
}
