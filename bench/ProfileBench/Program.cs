// Measures what one recorded step of the default walk costs: the segment profile (11 points, and adaptive) of the mlp on a
// 5,000-sample probe view, under both BatchNorm policies, with and without the first-layer shortcut, against the
// cost of a plain training step measured in the same process. Medians of repeated measurements.
//
//   dotnet run -c Release --project bench/ProfileBench -- [repeats] [threads]

using System.Diagnostics;
using System.Globalization;
using SgdWalk.Data;
using SgdWalk.Landscape;
using SgdWalk.Models;
using TorchSharp;
using static TorchSharp.torch;

int repeats = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
int threads = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : Environment.ProcessorCount;
set_num_threads(threads);
using var data = DatasetCatalog.Load(new DataOptions("fashion-mnist"));
manual_seed(1111);
using var model = ModelZoo.Create("mlp", new ModelSpec(1, 28, 28, 10));
var parameters = model.parameters().ToList();
using var probe = data.Train.Take(0, 5000);
var alphas = Enumerable.Range(0, 11).Select(i => i / 10.0).ToArray();

double TrainStep()
{
    using var scope = NewDisposeScope();
    var index = randint(0, data.Train.Count, [100]);
    var clock = Stopwatch.StartNew();
    model.train();
    foreach (var p in parameters) p.grad?.zero_();
    nn.functional.cross_entropy(model.call(data.Train.Images.index_select(0, index)), data.Train.Labels.index_select(0, index)).backward();
    using (no_grad()) foreach (var p in parameters) p.add_(p.grad!, -0.1);
    return clock.Elapsed.TotalMilliseconds;
}

for (int i = 0; i < 20; i++) TrainStep(); // warm-up, and a realistic (trained) point
using var start = ParamVector.OfValues(parameters);
using var stateStart = ModelState.Capture(model);
TrainStep();
using var end = ParamVector.OfValues(parameters);
using var stateEnd = ModelState.Capture(model);
using var direction = end.Minus(start);
var segment = new Segment(start, end, direction, stateStart, stateEnd);

double Median(IEnumerable<double> xs) { var s = xs.Order().ToArray(); return s[s.Length / 2]; }
double trainMs = Median(Enumerable.Range(0, 200).Select(_ => TrainStep()));
end.WriteTo(parameters);
stateEnd.Restore();
Console.WriteLine($"threads {threads}; plain training step (batch 100): {trainMs:F2} ms");

foreach (var policy in new[] { BatchNormPolicy.BatchStats, BatchNormPolicy.Running })
    foreach (bool affine in new[] { false, true })
    {
        int chunk = policy == BatchNormPolicy.BatchStats ? 100 : 1000;
        using var view = DataView.Borrow("probe", probe.Images, probe.Labels, chunk);
        var profiler = new SegmentProfiler(new LossSurface(model, LossSurface.CrossEntropy, policy), parameters) { Fast = affine };
        profiler.Measure(segment, alphas, view);
        double ms = Median(Enumerable.Range(0, repeats).Select(_ =>
        {
            var clock = Stopwatch.StartNew();
            profiler.Measure(segment, alphas, view);
            return clock.Elapsed.TotalMilliseconds;
        }));
        Console.WriteLine($"profile 11 x 5000, bn {policy,-10} chunk {chunk,4}, first-layer shortcut {(affine ? "on " : "off")}: {ms,7:F0} ms = {ms / trainMs,5:F0} training steps");
    }

// The adaptive grid (--alphas adaptive) on the same segment under the default policy.
{
    using var view = DataView.Borrow("probe", probe.Images, probe.Labels, 100);
    var profiler = new SegmentProfiler(new LossSurface(model, LossSurface.CrossEntropy, BatchNormPolicy.BatchStats), parameters);
    var fixedGrid = profiler.Measure(segment, alphas, view).Profile;
    MeasuredProfile? adaptive = null;
    double ms = Median(Enumerable.Range(0, repeats).Select(_ =>
    {
        var clock = Stopwatch.StartNew();
        adaptive = profiler.MeasureAdaptive(segment, view);
        return clock.Elapsed.TotalMilliseconds;
    }));
    Console.WriteLine($"profile adaptive x 5000, bn BatchStats chunk  100, fast: {ms,7:F0} ms = {ms / trainMs,5:F0} training steps; " +
        $"{adaptive!.Profile.Alphas.Count} points, floor alpha {adaptive.Profile.FloorAlpha:F4} (11-point grid {fixedGrid.FloorAlpha:F4}), height {adaptive.Profile.Height:F5} ± {adaptive.HeightStandardError:F5}");
}
