using System.Globalization;

namespace SgdWalk.Bench;

/// <summary>
/// The command line the focused benches share: <c>[repeats] [threads] [--dataset NAME] [--quick]</c>. They measure the
/// mlp on the same fixture as `sgdwalk bench` (the plan's defaults: 20 warm-up steps, a 5,000-sample probe view in
/// chunks of 100), so their numbers sit next to the bench's.
/// </summary>
public sealed record FocusedArgs(BenchPlan Plan, int Threads)
{
    public const string Usage = "[repeats] [threads] [--dataset NAME] [--quick]";

    /// <exception cref="ArgumentException">An argument that is not one of these; the message says which.</exception>
    public static FocusedArgs Parse(IReadOnlyList<string> args, int defaultRepeats)
    {
        var numbers = new List<int>();
        var plan = new BenchPlan { Models = ["mlp"], Repeats = defaultRepeats };
        bool quick = false;
        for (int i = 0; i < args.Count; i++)
        {
            if (args[i] == "--quick") quick = true;
            else if (args[i] == "--dataset" && i + 1 < args.Count) plan = plan with { Dataset = args[++i] };
            else if (int.TryParse(args[i], NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1 && numbers.Count < 2) numbers.Add(n);
            else throw new ArgumentException($"unexpected argument '{args[i]}'; expected {Usage}");
        }
        if (numbers.Count > 0) plan = plan with { Repeats = numbers[0] };
        int threads = numbers.Count > 1 ? numbers[1] : Environment.ProcessorCount;
        return new FocusedArgs(quick ? BenchPlan.QuickPlan(plan) : plan, threads);
    }
}
