using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Probes;

/// <summary>
/// A float64 least-squares model: its loss is exactly quadratic in the parameters, so every quantity along an SGD
/// step has a closed form that plain C# can compute (the oracle for the recorder).
/// </summary>
internal sealed class LinearRegression : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc;

    public LinearRegression(int inputs) : base(nameof(LinearRegression))
    {
        fc = nn.Linear(inputs, 1, hasBias: true, dtype: ScalarType.Float64);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => fc.call(input);

    public static Tensor Loss(Tensor outputs, Tensor targets) => nn.functional.mse_loss(outputs, targets);

    /// <summary>θ = (w, b) as plain doubles, in the order of parameters() (weight, then bias).</summary>
    public double[] Theta() => fc.weight!.data<double>().ToArray().Concat(fc.bias!.data<double>().ToArray()).ToArray();
}

/// <summary>Closed forms of L(θ) = mean((Aθ − y)²) with A = [X 1], in plain double arithmetic.</summary>
internal sealed class Quadratic(double[][] x, double[] y)
{
    private double[] Row(int i) => x[i].Append(1.0).ToArray();

    public double Loss(double[] theta) =>
        Enumerable.Range(0, y.Length).Average(i => Math.Pow(Dot(Row(i), theta) - y[i], 2));

    public double[] Gradient(double[] theta)
    {
        var g = new double[theta.Length];
        for (int i = 0; i < y.Length; i++)
        {
            var a = Row(i);
            double r = 2 * (Dot(a, theta) - y[i]) / y.Length;
            for (int j = 0; j < g.Length; j++) g[j] += r * a[j];
        }
        return g;
    }

    /// <summary>vᵀHv with H = (2/n)AᵀA.</summary>
    public double Curvature(double[] v) =>
        Enumerable.Range(0, y.Length).Sum(i => 2 * Math.Pow(Dot(Row(i), v), 2) / y.Length);

    public static double Dot(double[] a, double[] b) => a.Zip(b).Sum(p => p.First * p.Second);

    public static double Norm(double[] a) => Math.Sqrt(Dot(a, a));
}
