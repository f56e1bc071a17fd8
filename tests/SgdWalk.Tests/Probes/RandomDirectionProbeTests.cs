using SgdWalk.Landscape;
using SgdWalk.Probes;
using static TorchSharp.torch;

namespace SgdWalk.Tests.Probes;

/// <summary>The random-direction control's direction: the step's length, drawn from its own stream, the same after a resume.</summary>
public class RandomDirectionProbeTests
{
    [Fact]
    public void The_direction_has_the_given_length_and_depends_only_on_the_stream_and_the_step()
    {
        using var like = ParamVector.Of([zeros(3, 4), zeros(5)]);
        RandomDirectionProbe Probe(long seed) => new(null!, RecordSchedule.All, [0, 0.5, 1], null!, seed);

        using var a = Probe(1120).Direction(like, 0.37, step: 7);
        Assert.Equal(0.37, a.Norm(), 6);
        Assert.Equal(like.Length, a.Length);
        using var again = Probe(1120).Direction(like, 0.37, step: 7); // a resumed run: a new probe, the same r
        Assert.Equal(a.ToArray(), again.ToArray());
        using var nextStep = Probe(1120).Direction(like, 0.37, step: 8);
        using var otherSeed = Probe(1121).Direction(like, 0.37, step: 7);
        Assert.NotEqual(a.ToArray(), nextStep.ToArray());
        Assert.NotEqual(a.ToArray(), otherSeed.ToArray());
        // Gaussian entries scaled together: every coordinate moves, none dominates (a unit vector along one axis would pass the norm check).
        Assert.All(a.ToArray(), v => Assert.InRange(Math.Abs(v), 1e-9, 0.37 * 0.9));
        using var none = Probe(1120).Direction(like, 0, step: 7);
        Assert.All(none.ToArray(), v => Assert.Equal(0, v));
    }
}
