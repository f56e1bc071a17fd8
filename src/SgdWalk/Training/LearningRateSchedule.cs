using System.Globalization;

namespace SgdWalk.Training;

/// <summary>
/// The learning rate as a function of training progress, in fractional epochs e = step / steps-per-epoch.
/// Syntax (docs/commands.md, `--schedule`): <c>constant</c>; <c>step:30,60:0.1</c> (multiply by 0.1 at epochs 30 and 60);
/// <c>cosine</c> or <c>cosine:MIN</c> (cosine decay to MIN·lr over the run); <c>cyclic:LOW:HIGH:PERIOD</c>
/// (triangular between LOW·lr and HIGH·lr, period in epochs: relative to --lr like every other schedule, so a sweep
/// over --lr sweeps the cycle too and run.json's learning_rate is the rate the schedule scales); <c>trapezoid:WARMUP:DECAY[:START[:END]]</c> (linear
/// warm-up from START·lr over WARMUP epochs, plateau, linear decay to END·lr over the last DECAY epochs;
/// START 0.1 and END 0.01 by default, as the authors' trapezoid).
/// </summary>
public sealed class LearningRateSchedule
{
    private readonly Func<double, double> rate;

    private LearningRateSchedule(string text, Func<double, double> rate)
    {
        Text = text;
        this.rate = rate;
    }

    public string Text { get; }

    /// <summary>Learning rate at a point of training measured in (fractional) epochs from 0.</summary>
    public double At(double epochs) => rate(epochs);

    public double AtStep(int step, int stepsPerEpoch) => rate(step / (double)stepsPerEpoch);

    /// <param name="text">The schedule, as above.</param>
    /// <param name="baseRate">The run's learning rate (--lr).</param>
    /// <param name="totalEpochs">Length of the run in epochs (fractional when --steps ends it mid-epoch).</param>
    /// <exception cref="FormatException">Not a schedule, or one whose rate would not stay positive and finite; the
    /// message names --schedule and what is allowed.</exception>
    public static LearningRateSchedule Parse(string text, double baseRate, double totalEpochs)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(':');
        string Problem(string what) => $"--schedule '{text}': {what}; see `sgdwalk list`";
        // Every argument is a finite number: NaN or infinity would reach the walk as a NaN rate, blamed on the parameters.
        double Arg(int i, string name, double? fallback = null) =>
            i >= parts.Length && fallback is { } f ? f
            : i < parts.Length && double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) ? v
            : throw new FormatException(Problem($"{name} must be a finite number (got '{(i < parts.Length ? parts[i] : "")}')"));
        void Require(bool ok, string what) { if (!ok) throw new FormatException(Problem(what)); }

        switch (parts[0])
        {
            case "constant" when parts.Length == 1:
                return new(text, _ => baseRate);
            case "step" when parts.Length == 3:
                var milestones = parts[1].Split(',').Select(m =>
                    double.TryParse(m, NumberStyles.Float, CultureInfo.InvariantCulture, out double e) && double.IsFinite(e) && e >= 0 ? e
                    : throw new FormatException(Problem($"the milestones must be epochs from 0, comma-separated, e.g. step:30,60:0.1 (got '{parts[1]}')")))
                    .Order().ToArray();
                double gamma = Arg(2, "GAMMA");
                Require(gamma > 0, $"GAMMA must be positive, or the rate would reach {(gamma == 0 ? "zero" : "a negative value")} (got {Show(gamma)})");
                return new(text, e => baseRate * Math.Pow(gamma, milestones.Count(m => e >= m)));
            case "cosine" when parts.Length <= 2:
                double min = Arg(1, "MIN", 0.0);
                Require(min >= 0, $"MIN is a fraction of --lr and must not be negative (got {Show(min)})");
                double floor = min * baseRate;
                return new(text, e => floor + 0.5 * (baseRate - floor) * (1 + Math.Cos(Math.PI * Math.Min(1, e / totalEpochs))));
            case "cyclic" when parts.Length == 4:
                double low = Arg(1, "LOW"), high = Arg(2, "HIGH"), period = Arg(3, "PERIOD");
                Require(low > 0 && high > 0, $"LOW and HIGH are fractions of --lr and must be positive (got {Show(low)} and {Show(high)})");
                Require(low <= high, $"LOW must not exceed HIGH (got {Show(low)} and {Show(high)})");
                Require(period > 0, $"PERIOD must be a positive number of epochs (got {Show(period)})");
                return new(text, e =>
                {
                    double phase = e / period - Math.Floor(e / period); // 0 → 1 within a cycle
                    return baseRate * (low + (high - low) * (1 - Math.Abs(2 * phase - 1)));
                });
            case "trapezoid" when parts.Length is >= 3 and <= 5:
                double warmup = Arg(1, "WARMUP"), decay = Arg(2, "DECAY"), start = Arg(3, "START", 0.1), end = Arg(4, "END", 0.01);
                Require(warmup >= 0 && decay >= 0, $"WARMUP and DECAY must not be negative (got {Show(warmup)} and {Show(decay)})");
                Require(start > 0 && end > 0, $"START and END are fractions of --lr and must be positive (got {Show(start)} and {Show(end)})");
                return new(text, e =>
                {
                    if (e < warmup) return baseRate * (start + (1 - start) * e / warmup);
                    double decayFrom = totalEpochs - decay;
                    if (e <= decayFrom || decay == 0) return baseRate;
                    return baseRate * (1 + (end - 1) * Math.Min(1, (e - decayFrom) / decay));
                });
            default:
                throw new FormatException($"--schedule: unknown schedule '{text}'; use constant, step:E1,E2:GAMMA, cosine[:MIN], " +
                    $"cyclic:LOW:HIGH:PERIOD or trapezoid:WARMUP:DECAY[:START[:END]]");
        }
    }

    private static string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
