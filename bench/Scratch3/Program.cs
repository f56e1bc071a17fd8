using System.Diagnostics;
using SgdWalk.Landscape;
using SgdWalk.Models;
using static TorchSharp.torch;
set_num_threads(int.Parse(args[0]));
manual_seed(1);
var model = ModelZoo.Create("mlp", new ModelSpec(1, 28, 28, 10));
var parameters = model.parameters().ToList();
var a = ParamVector.OfValues(parameters); var b = a.Clone();
void T(string name, Action f) { for (int i = 0; i < 5; i++) using (NewDisposeScope()) f(); var c = Stopwatch.StartNew(); for (int i = 0; i < 200; i++) using (NewDisposeScope()) f(); Console.WriteLine($"{name}: {c.Elapsed.TotalMilliseconds / 200:F3} ms"); }
T("OfValues", () => ParamVector.OfValues(parameters).Dispose());
T("Clone", () => a.Clone().Dispose());
T("Minus", () => a.Minus(b).Dispose());
T("Dot (sum f64)", () => a.Dot(b));
T("Distance", () => ParamVector.Distance(a, b));
T("dot f32", () => a.Flat.dot(b.Flat).item<float>());
T("to f64 dot", () => a.Flat.to(ScalarType.Float64).dot(b.Flat.to(ScalarType.Float64)).item<double>());
T("mul sum f32", () => a.Flat.mul(b.Flat).sum().item<float>());
