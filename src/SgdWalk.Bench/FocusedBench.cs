using System.Globalization;
using SgdWalk.Bench.Workloads;
using SgdWalk.Data;
using static TorchSharp.torch;

namespace SgdWalk.Bench;

/// <summary>The command line the focused benches share, parsed: the plan (mlp only) and the thread count.</summary>
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

/// <summary>
/// What the focused benches (bench/ProfileBench, bench/CurvatureBench) share besides the primitives: the command line
/// <c>[repeats] [threads] [--dataset NAME] [--quick]</c> and the mlp on the same fixture as `sgdwalk bench` (the plan's
/// defaults: 20 warm-up steps, a 5,000-sample probe view in chunks of 100), so their numbers sit next to the bench's.
/// </summary>
public static class FocusedBench
{
    /// <summary>Parses the arguments, sets the thread count, builds the fixture and hands it to <paramref name="measure"/>.</summary>
    /// <returns>0, or 2 after one line on <paramref name="output"/> for a bad argument.</returns>
    public static int Run(string name, IReadOnlyList<string> args, int defaultRepeats, TextWriter output, Action<FocusedArgs, BenchFixture> measure)
    {
        FocusedArgs options;
        try
        {
            options = FocusedArgs.Parse(args, defaultRepeats);
        }
        catch (ArgumentException e)
        {
            output.WriteLine($"{name}: {e.Message}");
            return 2;
        }
        var plan = options.Plan;
        set_num_threads(options.Threads);
        using var data = DatasetCatalog.Load(new DataOptions(plan.Dataset, plan.DataDir, Seed: plan.Seed));
        using var fixture = BenchFixture.Create("mlp", data, plan);
        measure(options, fixture);
        return 0;
    }
}
