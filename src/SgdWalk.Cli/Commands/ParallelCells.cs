using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using SgdWalk.Records;
using SgdWalk.Sweeps;
using Spectre.Console;

namespace SgdWalk.Cli.Commands;

/// <summary>
/// `--jobs N`: runs a sweep's cells N at a time, each in a child process of this same command restricted to one cell
/// (`--cell NAME`), with the cores split between them. A child is an ordinary sequential sweep of one cell, so it
/// writes exactly the run folder a sequential sweep writes, under the same cell lock. Children report progress as
/// lines on standard output (<c>@sgdwalk progress STEP TOTAL EPOCH EPOCHS LOSS</c>, then <c>@sgdwalk status …</c>);
/// the parent draws one display over all of them and hands the results to the usual summary and report.
/// </summary>
internal static class ParallelCells
{
    private const string Tag = "@sgdwalk";

    /// <summary>The child side: runs one cell and reports it as lines. Exit 0 when it finished (or had finished before).</summary>
    public static int RunChild(SweepPlan plan, string folder, Shard shard, string cellName, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        var results = SweepRunner.Run(plan, folder, shard, p =>
        {
            // A few lines a second are plenty for the parent's bars.
            if (p.Training is not { } t || (clock.ElapsedMilliseconds < 200 && t.Step < t.TotalSteps)) return;
            clock.Restart();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{Tag} progress {t.Step} {t.TotalSteps} {t.Epoch} {t.TotalEpochs} {t.TrainLoss:R}"));
        }, cancel, c => c.Name == cellName);
        if (results.Count == 0)
        {
            Console.WriteLine($"{Tag} status ran {RunStatus.Interrupted}");
            return ExitCodes.Interrupted;
        }
        var result = results[0];
        if (result.Message is { } message) Console.WriteLine($"{Tag} message {message.ReplaceLineEndings(" ")}");
        Console.WriteLine($"{Tag} status {(result.Skipped ? "skipped" : "ran")} {result.Status}");
        return result.Status switch
        {
            RunStatus.Interrupted => ExitCodes.Interrupted,
            RunStatus.Failed or RunStatus.Running => ExitCodes.Failed,
            _ => ExitCodes.Success,
        };
    }

    /// <summary>The parent side: every unfinished cell of the shard, <paramref name="jobs"/> at a time, in plan order.</summary>
    /// <param name="weight">Each cell's share of the sweep bar (its estimated cost where known), so the ETA holds when cells differ.</param>
    public static IReadOnlyList<CellResult> Run(IAnsiConsole console, SweepPlan plan, string folder, Shard shard, int jobs,
        IReadOnlyList<string> childCommand, Func<SweepCell, double> weight, CancellationToken cancel)
    {
        double Weight(SweepCell cell) => Math.Max(1e-9, weight(cell));
        var mine = plan.CellsOf(shard).ToList();
        var results = new List<CellResult>();
        var pending = new Queue<SweepCell>();
        foreach (var cell in mine)
        {
            string path = Path.Combine(folder, cell.Name);
            if (SweepRunner.IsFinished(path)) results.Add(new CellResult(cell, true, RunManifest.Read(new RunFolder(path).Manifest).Status, null));
            else pending.Enqueue(cell);
        }
        // The default --threads is the processor count .NET reports, which DOTNET_PROCESSOR_COUNT sets in each child.
        int coresEach = Math.Max(1, Environment.ProcessorCount / jobs);
        var running = new List<ChildCell>();
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(),
                new SpinnerColumn())
            .Start(progress =>
            {
                var sweep = progress.AddTask("sweep", maxValue: Math.Max(1e-9, mine.Sum(Weight)));
                var slots = Enumerable.Range(0, Math.Max(1, Math.Min(jobs, pending.Count)))
                    .Select(i => progress.AddTask($"job {i + 1}", maxValue: 1)).ToArray();
                bool interrupted = false;
                while (pending.Count > 0 || running.Count > 0)
                {
                    if (cancel.IsCancellationRequested && !interrupted)
                    {
                        interrupted = true;
                        pending.Clear(); // cells not started stay unstarted; a rerun picks them up
                        foreach (var child in running) child.Interrupt();
                    }
                    while (running.Count < jobs && pending.Count > 0)
                    {
                        int slot = Enumerable.Range(0, slots.Length).First(i => running.All(c => c.Slot != i));
                        running.Add(ChildCell.Start(pending.Dequeue(), slot, childCommand, coresEach));
                    }
                    foreach (var done in running.Where(c => c.HasExited).ToList())
                    {
                        running.Remove(done);
                        results.Add(done.Result());
                        slots[done.Slot].Description = $"job {done.Slot + 1}";
                        slots[done.Slot].Value = 0;
                    }
                    foreach (var child in running)
                    {
                        var task = slots[child.Slot];
                        var (step, total, description) = child.Progress;
                        task.MaxValue = Math.Max(1, total);
                        task.Value = step;
                        task.Description = Markup.Escape(description);
                    }
                    sweep.Value = results.Sum(r => Weight(r.Cell)) + running.Sum(c => c.Fraction * Weight(c.Cell));
                    sweep.Description = string.Create(CultureInfo.InvariantCulture, $"sweep {results.Count}/{mine.Count} cells, {running.Count} running");
                    cancel.WaitHandle.WaitOne(interrupted ? 100 : 250);
                }
                sweep.Value = sweep.MaxValue;
                sweep.StopTask();
                foreach (var slot in slots) slot.StopTask();
            });
        return [.. results.OrderBy(r => r.Cell.Index)];
    }

    /// <summary>One child process running one cell, and what it has reported so far.</summary>
    private sealed class ChildCell
    {
        private const int SigTerm = 15;
        private readonly Process process;
        private readonly Queue<string> tail = new();
        private long step, total;
        private string description;
        private string? status, message;

        private ChildCell(SweepCell cell, int slot, Process process)
        {
            Cell = cell;
            Slot = slot;
            this.process = process;
            description = cell.Name;
        }

        public SweepCell Cell { get; }

        public int Slot { get; }

        public bool HasExited => process.HasExited;

        public double Fraction
        {
            get { lock (tail) return total > 0 ? step / (double)total : 0; }
        }

        public (long Step, long Total, string Description) Progress
        {
            get { lock (tail) return (step, total, description); }
        }

        public static ChildCell Start(SweepCell cell, int slot, IReadOnlyList<string> command, int cores)
        {
            var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string argument in command.Skip(1)) start.ArgumentList.Add(argument);
            start.ArgumentList.Add("--cell");
            start.ArgumentList.Add(cell.Name);
            start.Environment["DOTNET_PROCESSOR_COUNT"] = cores.ToString(CultureInfo.InvariantCulture);
            var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {command[0]}");
            var child = new ChildCell(cell, slot, process);
            process.OutputDataReceived += (_, e) => child.Received(e.Data);
            process.ErrorDataReceived += (_, e) => child.Received(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return child;
        }

        /// <summary>Asks the child to stop at its next step boundary, as Ctrl+C does to a sequential sweep (SIGTERM is handled the same way).</summary>
        public void Interrupt()
        {
            if (!process.HasExited) _ = Kill(process.Id, SigTerm);
        }

        public CellResult Result()
        {
            process.WaitForExit(); // drains the output events
            lock (tail)
            {
                if (status is { } line)
                {
                    string[] parts = line.Split(' ');
                    bool skipped = parts[0] == "skipped";
                    var state = Enum.Parse<RunStatus>(parts[1]);
                    return new CellResult(Cell, skipped, state, message);
                }
                string last = tail.Count > 0 ? string.Join(" | ", tail.TakeLast(3)) : "no output";
                return new CellResult(Cell, false, RunStatus.Failed, $"its process exited with code {process.ExitCode}: {last}");
            }
        }

        private void Received(string? line)
        {
            if (line is null) return;
            lock (tail)
            {
                if (line.StartsWith(Tag + " ", StringComparison.Ordinal))
                {
                    string[] parts = line.Split(' ', 3);
                    string rest = parts.Length > 2 ? parts[2] : "";
                    switch (parts[1])
                    {
                        case "progress":
                            string[] p = rest.Split(' ');
                            step = long.Parse(p[0], CultureInfo.InvariantCulture);
                            total = long.Parse(p[1], CultureInfo.InvariantCulture);
                            double loss = double.Parse(p[4], CultureInfo.InvariantCulture);
                            description = string.Create(CultureInfo.InvariantCulture, $"{Cell.Name} epoch {p[2]}/{p[3]} loss {loss:F3}");
                            return;
                        case "status": status = rest; return;
                        case "message": message = rest; return;
                    }
                }
                // A test's pause (TestOnlyPause) announces itself on the child's stderr: passed on, named, so the test can wait for it.
                if (line.StartsWith("sgdwalk-test-pause:", StringComparison.Ordinal)) Console.Error.WriteLine($"{Cell.Name}: {line}");
                tail.Enqueue(line);
                if (tail.Count > 20) tail.Dequeue();
            }
        }

        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        private static extern int Kill(int pid, int signal);
    }
}
