using System.Globalization;
using SgdWalk.Records;

namespace SgdWalk.Cli.Tests.Approved;

/// <summary>
/// A 40-step seeded synthetic run pinned as CSV (Approved/golden-synthetic-40/): any change to what the walk
/// records shows up here and in review. Regenerate with `SGDWALK_APPROVE=1 ./test.sh --filter Approved` (or, on a
/// built tree, `SGDWALK_APPROVE=1 dotnet test tests/SgdWalk.Cli.Tests -c Release --no-build --filter GoldenRunTests`)
/// and review the diff. The settings (plain SGD at learning rate 2, batch 10, running BatchNorm statistics) put the walk
/// in the paper's regime, which <see cref="The_golden_run_pins_interior_floors_a_bump_and_floor_barriers"/> checks
/// in the approved files: most floors inside the step, at least one step crossing a barrier, and barriers between
/// floor points; a re-pin that loses them fails (when approving, it may read the files as they were before the run:
/// run the filter once more after approving). Numbers are compared to 1e-6 relative (absolute below 1), because another CPU's math kernels may round
/// differently; text cells, headers, row counts and empty cells must match exactly.
/// </summary>
public class GoldenRunTests
{
    public static readonly string[] Arguments =
    [
        "train", "--dataset", "synthetic", "--hidden", "32,16", "--batch-size", "10", "--lr", "2", "--bn", "running",
        "--steps", "40", "--seed", "7", "--threads", "1", "--probe-size", "200", "--record", "all",
        "--sharpness", "steps:0,10,31", "--floor-lags", "1,5", "--no-report",
    ];

    private const string Pinned = "golden-synthetic-40";

    [Fact]
    public void The_golden_run_pins_interior_floors_a_bump_and_floor_barriers()
    {
        var steps = CsvTable.Read(Path.Combine(ApprovedFile.Folder, Pinned, "steps.csv"));
        static int Positive(IEnumerable<double> values) => values.Count(v => v > 0);
        Assert.True(Positive(steps.Numbers("probe_interior")) >= steps.Rows.Count / 2, "most probe floors interior");
        Assert.True(Positive(steps.Numbers("probe_bump").Concat(steps.Numbers("batch_bump"))) >= 1, "a step crossing a barrier");
        Assert.True(Positive(steps.Numbers("floor_barrier_k1").Concat(steps.Numbers("floor_barrier_k5"))) >= 1, "a floor barrier");
        Assert.Contains(steps.Numbers("probe_floor_alpha"), a => a is > 0 and < 1);
    }

    [Theory]
    [InlineData("steps.csv")]
    [InlineData("profiles.csv")]
    public void The_golden_run_records_the_approved_numbers(string file)
    {
        string folder = Path.Combine(Directory.CreateTempSubdirectory().FullName, "golden");
        var (code, output) = CliHarness.Run([.. Arguments, "--out", folder]);
        Assert.True(code == 0, output);

        string relative = Path.Combine(Pinned, file);
        ApprovedFile.Read(relative, File.ReadAllText(Path.Combine(folder, file)));
        var now = CsvTable.Read(Path.Combine(folder, file));
        var then = CsvTable.Read(Path.Combine(ApprovedFile.Folder, relative));
        Assert.Equal(then.Columns, now.Columns);
        Assert.Equal(then.Rows.Count, now.Rows.Count);
        for (int r = 0; r < then.Rows.Count; r++)
            for (int c = 0; c < then.Columns.Count; c++)
                Assert.True(Same(then.Rows[r][c], now.Rows[r][c]),
                    $"{file} row {r} column {then.Columns[c]}: approved '{then.Rows[r][c]}', now '{now.Rows[r][c]}'");
    }

    private static bool Same(string approved, string now)
    {
        if (approved == now) return true;
        const NumberStyles style = NumberStyles.Float;
        if (!double.TryParse(approved, style, CultureInfo.InvariantCulture, out double a)) return false;
        if (!double.TryParse(now, style, CultureInfo.InvariantCulture, out double b)) return false;
        // The walk is in the paper's regime (lr 2, interior floors), where the floor's parabola and the heights magnify
        // rounding: the same 40 steps with oneMKL's generic kernels and with its AVX-512 ones (the launcher's shim) differ
        // by at most 1.3e-5 (batch_height_end, step 8; measured 2026-12-07). 1e-4 holds on any CPU and still catches any
        // change of what is computed; bit-for-bit repeatability on one machine is tested on its own (same seed, same bytes).
        return Math.Abs(a - b) <= 1e-4 * Math.Max(1, Math.Max(Math.Abs(a), Math.Abs(b)));
    }
}
