using CsCheck;
using SgdWalk.Landscape;
using TorchSharp;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Landscape;

/// <summary>Parameter-space arithmetic against plain double arithmetic on the flattened vectors.</summary>
public class ParamVectorTests
{
    private static ParamVector Vector(double[] values, ScalarType type, params long[][] shapes)
    {
        var parts = new List<Tensor>();
        int offset = 0;
        foreach (var shape in shapes)
        {
            int n = (int)shape.Aggregate(1L, (a, b) => a * b);
            parts.Add(tensor(values[offset..(offset + n)], shape).to(type));
            offset += n;
        }
        var v = ParamVector.Of(parts);
        foreach (var p in parts) p.Dispose();
        return v;
    }

    private static readonly long[][] Shapes = [[3, 4], [4], [2, 2, 2]];

    [Fact]
    public void Dot_norm_cosine_and_distance_equal_plain_double_arithmetic()
    {
        Gen.Double[-10, 10].Array[24].Select(Gen.Double[-10, 10].Array[24]).Sample((a, b) =>
        {
            using var va = Vector(a, ScalarType.Float64, Shapes);
            using var vb = Vector(b, ScalarType.Float64, Shapes);
            double dot = a.Zip(b).Sum(p => p.First * p.Second);
            double na = Math.Sqrt(a.Sum(x => x * x)), nb = Math.Sqrt(b.Sum(x => x * x));
            double dist = Math.Sqrt(a.Zip(b).Sum(p => (p.First - p.Second) * (p.First - p.Second)));
            Assert.Equal(dot, va.Dot(vb), 1e-9);
            Assert.Equal(na, va.Norm(), 1e-9);
            double cos = ParamVector.Cosine(va, vb);
            Assert.InRange(cos, -1, 1);
            Assert.Equal(dot / (na * nb), cos, 1e-9);
            Assert.Equal(dist, ParamVector.Distance(va, vb), 1e-9);
            Assert.Equal(ParamVector.Distance(va, vb), ParamVector.Distance(vb, va));
        });
    }

    [Fact]
    public void Float32_vectors_agree_with_double_arithmetic_to_float_precision()
    {
        var rng = new Random(3);
        var a = Enumerable.Range(0, 24).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var b = Enumerable.Range(0, 24).Select(_ => rng.NextDouble() - 0.5).ToArray();
        using var va = Vector(a, ScalarType.Float32, Shapes);
        using var vb = Vector(b, ScalarType.Float32, Shapes);
        var fa = a.Select(x => (double)(float)x).ToArray();
        var fb = b.Select(x => (double)(float)x).ToArray();
        Assert.Equal(fa.Zip(fb).Sum(p => p.First * p.Second), va.Dot(vb), 1e-6);
    }

    [Fact]
    public void Float32_products_of_a_million_terms_stay_within_float_precision()
    {
        // The size of a real model: the BLAS dot's partial sums must not lose what a float64 sum would keep.
        var rng = new Random(4);
        var a = Enumerable.Range(0, 1_000_000).Select(_ => (double)(float)(rng.NextDouble() + 0.5)).ToArray();
        var b = Enumerable.Range(0, 1_000_000).Select(_ => (double)(float)(rng.NextDouble() - 0.3)).ToArray();
        long[][] shapes = [[1000, 1000]];
        using var va = Vector(a, ScalarType.Float32, shapes);
        using var vb = Vector(b, ScalarType.Float32, shapes);
        double dot = a.Zip(b).Sum(p => p.First * p.Second), norm = Math.Sqrt(a.Sum(x => x * x));
        Assert.Equal(1, va.Dot(vb) / dot, 2e-6);
        Assert.Equal(1, va.Norm() / norm, 2e-6);
        Assert.Equal(1, ParamVector.Distance(va, vb) / Math.Sqrt(a.Zip(b).Sum(p => (p.First - p.Second) * (p.First - p.Second))), 2e-6);
    }

    [Fact]
    public void Minus_plus_and_lerp_write_the_expected_points_into_parameters()
    {
        var a = Enumerable.Range(0, 24).Select(i => i * 0.5).ToArray();
        var b = Enumerable.Range(0, 24).Select(i => 10.0 - i).ToArray();
        using var va = Vector(a, ScalarType.Float64, Shapes);
        using var vb = Vector(b, ScalarType.Float64, Shapes);
        using var d = vb.Minus(va);
        Assert.Equal(b.Zip(a).Select(p => p.First - p.Second), d.ToArray());
        using var back = va.PlusScaled(d, 1.0);
        Assert.Equal(b, back.ToArray());

        var parameters = Shapes.Select(s => new TorchSharp.Modules.Parameter(zeros(s, ScalarType.Float64))).ToList();
        ParamVector.WriteLerp(parameters, va, d, 0.25);
        using var written = ParamVector.OfValues(parameters);
        Assert.Equal(a.Zip(b).Select(p => p.First + 0.25 * (p.Second - p.First)), written.ToArray());
        Assert.Equal(new long[] { 3, 4 }, parameters[0].shape);

        vb.WriteTo(parameters);
        using var again = ParamVector.OfValues(parameters);
        Assert.Equal(b, again.ToArray());
    }

    [Fact]
    public void Vectors_of_different_shapes_are_refused()
    {
        using var a = Vector(new double[24], ScalarType.Float64, Shapes);
        using var b = Vector(new double[4], ScalarType.Float64, [4]);
        Assert.Throws<ArgumentException>(() => a.Dot(b));
        Assert.Throws<ArgumentException>(() => a.Minus(b));
    }
}
