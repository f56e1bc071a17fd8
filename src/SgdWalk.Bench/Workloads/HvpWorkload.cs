using SgdWalk.Bench.Primitives;
using SgdWalk.Landscape;

namespace SgdWalk.Bench.Workloads;

/// <summary>One Hessian-vector product's time and result: ‖Hv‖ and v·Hv, to compare with the reference's.</summary>
public sealed record HvpTimings(Timings Timings, double Norm, double Dot);

/// <summary>hvp_ms: one autograd (double-backward) Hessian-vector product at θ_{t+1} on the HVP view, batch-stats, chunks of 100.</summary>
public static class HvpWorkload
{
    public static HvpTimings Measure(BenchFixture fixture, BenchPlan plan)
    {
        var hessian = new HessianVectorProduct(fixture.Model, fixture.Parameters, LossSurface.CrossEntropy, BatchNormPolicy.BatchStats, HvpMethod.Autograd);
        ParamVector? product = null;
        try
        {
            var timings = Timings.Measure(plan.Repeats, () =>
            {
                product?.Dispose();
                product = hessian.Apply(fixture.HvpView, fixture.HvpDirection);
            });
            // Every repetition gives the same bits; the last one is compared with the reference, outside the clock.
            return new HvpTimings(timings, product!.Norm(), product.Dot(fixture.HvpDirection));
        }
        finally
        {
            product?.Dispose();
        }
    }
}
