using System.Globalization;

namespace SgdWalk.Training;

/// <summary>
/// The learning rate as a function of training progress, in fractional epochs e = step / steps-per-epoch.
/// Syntax (README "Schedules"): <c>constant</c>; <c>step:30,60:0.1</c> (multiply by 0.1 at epochs 30 and 60);
/// <c>cosine</c> or <c>cosine:MIN</c> (cosine decay to MIN·lr over the run); <c>cyclic:LOW:HIGH:PERIOD</c>
/// (triangular between absolute rates, period in epochs); <c>trapezoid:WARMUP:DECAY[:START[:END]]</c> (linear
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
    public static LearningRateSchedule Parse(string text, double baseRate, double totalEpochs)
    {
        var parts = text.Split(':');
        double Arg(int i, double? fallback = null) =>
            i < parts.Length && double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v
            : i >= parts.Length && fallback is { } f ? f
            : throw new FormatException($"schedule '{text}': argument {i} ('{(i < parts.Length ? parts[i] : "")}') is not a number; see `sgdwalk train --help`");

        switch (parts[0])
        {
            case "constant" when parts.Length == 1:
                return new(text, _ => baseRate);
            case "step" when parts.Length == 3:
                var milestones = parts[1].Split(',').Select(m => double.Parse(m, CultureInfo.InvariantCulture)).Order().ToArray();
                double gamma = Arg(2);
                return new(text, e => baseRate * Math.Pow(gamma, milestones.Count(m => e >= m)));
            case "cosine" when parts.Length <= 2:
                double floor = Arg(1, 0.0) * baseRate;
                return new(text, e => floor + 0.5 * (baseRate - floor) * (1 + Math.Cos(Math.PI * Math.Min(1, e / totalEpochs))));
            case "cyclic" when parts.Length == 4:
                double low = Arg(1), high = Arg(2), period = Arg(3);
                if (period <= 0) throw new FormatException($"schedule '{text}': the period must be positive");
                return new(text, e =>
                {
                    double phase = e / period - Math.Floor(e / period); // 0 → 1 within a cycle
                    return low + (high - low) * (1 - Math.Abs(2 * phase - 1));
                });
            case "trapezoid" when parts.Length is >= 3 and <= 5:
                double warmup = Arg(1), decay = Arg(2), start = Arg(3, 0.1), end = Arg(4, 0.01);
                if (warmup < 0 || decay < 0) throw new FormatException($"schedule '{text}': warm-up and decay must not be negative");
                return new(text, e =>
                {
                    if (e < warmup) return baseRate * (start + (1 - start) * e / warmup);
                    double decayFrom = totalEpochs - decay;
                    if (e <= decayFrom || decay == 0) return baseRate;
                    return baseRate * (1 + (end - 1) * Math.Min(1, (e - decayFrom) / decay));
                });
            default:
                throw new FormatException($"unknown schedule '{text}'; use constant, step:E1,E2:GAMMA, cosine[:MIN], cyclic:LOW:HIGH:PERIOD or trapezoid:WARMUP:DECAY[:START[:END]]");
        }
    }
}
