namespace SgdWalk.Reporting.Tests;

public class IsolationTests
{
    [Fact]
    public void Reports_are_built_without_loading_torchsharp()
    {
        using var run = new Fixture(Fixture.Synthetic);
        run.Build();
        var loaded = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name ?? "").ToList();
        Assert.Contains("SgdWalk.Reporting", loaded); // the check below looked at the right process
        Assert.DoesNotContain(loaded, n => n.StartsWith("TorchSharp", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Reporting_references_records_but_neither_torchsharp_nor_the_library()
    {
        var references = typeof(ReportBuilder).Assembly.GetReferencedAssemblies().Select(a => a.Name ?? "").ToList();
        Assert.Contains("SgdWalk.Records", references);
        Assert.Contains("ScottPlot", references);
        Assert.DoesNotContain(references, n => n.StartsWith("TorchSharp", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain("SgdWalk", references);
    }
}
