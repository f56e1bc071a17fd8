using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using SgdWalk.Data;
using SgdWalk.Platform;
using SgdWalk.Records;
using SgdWalk.Sweeps;
using SgdWalk.Training;
using Spectre.Console;

namespace SgdWalk.Cli.Commands;

/// <summary>
/// `--jobs N`: runs a sweep's cells N at a time in N warm worker processes, child processes of this same command
/// (`--worker`) with the cores split between them. The parent names one cell at a time on a worker's standard input
/// (<c>cell NAME</c>); the worker runs it as a sequential sweep restricted to that cell (the same run folder, under the
/// same cell lock), then takes the next, in the same process: .NET and libtorch start once per worker and each dataset
/// is loaded once per worker (<see cref="DataCache"/>), not once per cell. End of input ends the worker. Workers
/// report as lines on standard output (<c>@sgdwalk progress STEP TOTAL EPOCH EPOCHS LOSS</c>, then
/// <c>@sgdwalk status …</c> per cell, then <c>@sgdwalk memory RSS_MB LIVE_TENSORS DATA_LOADS</c>); the parent draws one
/// display over all of them and hands the results to the usual summary and report. A worker that dies in a cell (a
/// native abort) fails that cell only: the parent starts a fresh worker for the cells still to run.
/// `--cell NAME` (one cell, then exit) is kept for scripts and the schedulers.
/// </summary>
internal static class ParallelCells
{
    private const string Tag = "@sgdwalk";

    /// <summary>The command a parent writes on a worker's standard input, followed by the cell's name.</summary>
    private const string CellCommand = "cell ";

    /// <summary>The child side of `--cell`: runs one cell and reports it as lines. Exit 0 when it finished (or had finished before).</summary>
    public static int RunChild(SweepPlan plan, string folder, Shard shard, string cellName, CancellationToken cancel)
    {
        using var cache = new DataCache();
        return ExitCode(RunReported(plan, folder, shard, cellName, cache, new SweepSummaryCache(), cancel));
    }

    /// <summary>
    /// The worker side of `--jobs`: runs the cells named on standard input one after another in this process, with one
    /// data cache for all of them, until the input ends or a stop is requested. Exit 0 unless interrupted.
    /// </summary>
    public static int RunWorker(SweepPlan plan, string folder, Shard shard, CancellationToken cancel)
    {
        var names = plan.CellsOf(shard).Select(c => c.Name).ToHashSet();
        using var cache = new DataCache();
        var summaries = new SweepSummaryCache();
        while (!cancel.IsCancellationRequested && Console.In.ReadLine() is { } line)
        {
            string name = line.StartsWith(CellCommand, StringComparison.Ordinal) ? line[CellCommand.Length..] : "";
            if (!names.Contains(name))
            {
                Console.WriteLine($"{Tag} message the worker was asked for '{line}', which is no cell of this plan");
                Console.WriteLine($"{Tag} status ran {RunStatus.Failed}");
                continue;
            }
            var status = RunReported(plan, folder, shard, name, cache, summaries, cancel);
            // What the worker holds between cells, for the parent's record and the tests (memory, not time).
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{Tag} memory {ProcessMemory.ResidentMegabytes() ?? double.NaN:F1} {TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount} {cache.Loads}"));
            if (status == RunStatus.Interrupted) return ExitCodes.Interrupted;
        }
        return cancel.IsCancellationRequested ? ExitCodes.Interrupted : ExitCodes.Success;
    }

    /// <summary>Runs one cell, reporting its progress and how it ended as lines; returns that status.</summary>
    private static RunStatus RunReported(SweepPlan plan, string folder, Shard shard, string cellName, DataCache cache, SweepSummaryCache summaries,
        CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        var results = SweepRunner.Run(plan, folder, shard, p =>
        {
            // A few lines a second are plenty for the parent's bars.
            if (p.Training is not { } t || (clock.ElapsedMilliseconds < 200 && t.Step < t.TotalSteps)) return;
            clock.Restart();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{Tag} progress {t.Step} {t.TotalSteps} {t.Epoch} {t.TotalEpochs} {t.TrainLoss:R}"));
        }, cancel, c => c.Name == cellName, cache, summaries);
        if (results.Count == 0)
        {
            Console.WriteLine($"{Tag} status ran {RunStatus.Interrupted}");
            return RunStatus.Interrupted;
        }
        var result = results[0];
        if (result.Message is { } message) Console.WriteLine($"{Tag} message {message.ReplaceLineEndings(" ")}");
        Console.WriteLine($"{Tag} status {(result.Skipped ? "skipped" : "ran")} {result.Status}");
        return result.Status;
    }

    private static int ExitCode(RunStatus status) => status switch
    {
        RunStatus.Interrupted => ExitCodes.Interrupted,
        RunStatus.Failed or RunStatus.Running => ExitCodes.Failed,
        _ => ExitCodes.Success,
    };

    /// <summary>The parent side: every unfinished cell of the shard, costliest first, handed to <paramref name="jobs"/> warm workers as they become free.</summary>
    /// <param name="weight">Each cell's share of the sweep bar (its estimated cost where known), so the ETA holds when cells differ.</param>
    /// <param name="processes">Receives each worker's record (its data loads and memory after each cell).</param>
    public static IReadOnlyList<CellResult> Run(IAnsiConsole console, SweepPlan plan, string folder, Shard shard, int jobs,
        IReadOnlyList<string> childCommand, Func<SweepCell, double> weight, CancellationToken cancel, List<ProcessRecord>? processes = null)
    {
        double Weight(SweepCell cell) => Math.Max(1e-9, weight(cell));
        var mine = plan.CellsOf(shard).ToList();
        var results = new List<CellResult>();
        var pending = new Queue<SweepCell>();
        // The costliest cells first (plan order among equals), so the last cells to finish are short ones and no worker
        // idles long at the end while another finishes a long cell; results are reported in plan order all the same.
        foreach (var cell in mine.OrderByDescending(Weight))
        {
            string path = Path.Combine(folder, cell.Name);
            if (SweepRunner.IsFinished(path)) results.Add(new CellResult(cell, true, RunManifest.Read(new RunFolder(path).Manifest).Status, null));
            else pending.Enqueue(cell);
        }
        // The default --threads is the processor count .NET reports, which DOTNET_PROCESSOR_COUNT sets in each worker.
        int coresEach = Math.Max(1, Environment.ProcessorCount / jobs);
        var workers = new List<Worker>();
        // Set by a worker when it reports a cell's end or exits, so the next cell goes out at once rather than at the next
        // display tick (waiting for the tick cost a median 0.13 s between runs, 11 % of a plan of 1-second cells).
        using var wake = new AutoResetEvent(false);
        try
        {
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
                    while (pending.Count > 0 || workers.Any(w => w.Cell is not null))
                    {
                        if (cancel.IsCancellationRequested && !interrupted)
                        {
                            interrupted = true;
                            pending.Clear(); // cells not started stay unstarted; a rerun picks them up
                            foreach (var worker in workers) worker.Interrupt();
                        }
                        // Finished cells first, then workers that died (a native abort fails the cell it was running, only that cell).
                        foreach (var worker in workers)
                            while (worker.TakeResult() is { } result) results.Add(result);
                        foreach (var dead in workers.Where(w => w.HasExited).ToList())
                        {
                            results.AddRange(dead.Drain());
                            workers.Remove(dead);
                            dead.Dispose();
                        }
                        // Free workers take the next cells in plan order; a missing worker (none yet, or one that died) is started.
                        foreach (var worker in workers.Where(w => w.Cell is null && pending.Count > 0)) worker.Send(pending.Dequeue());
                        while (workers.Count < Math.Min(jobs, slots.Length) && pending.Count > 0)
                        {
                            int slot = Enumerable.Range(0, slots.Length).First(i => workers.All(w => w.Slot != i));
                            var worker = Worker.Start(slot, childCommand, coresEach, wake);
                            workers.Add(worker);
                            processes?.Add(worker.Record);
                            worker.Send(pending.Dequeue());
                        }
                        // No more cells: idle workers are told so (end of input) and leave.
                        if (pending.Count == 0)
                            foreach (var worker in workers.Where(w => w.Cell is null)) worker.EndInput();
                        foreach (var slot in Enumerable.Range(0, slots.Length))
                        {
                            var task = slots[slot];
                            if (workers.FirstOrDefault(w => w.Slot == slot) is { } worker && worker.Progress is { } p)
                            {
                                task.MaxValue = Math.Max(1, p.Total);
                                task.Value = p.Step;
                                task.Description = Markup.Escape(p.Description);
                            }
                            else
                            {
                                task.Description = $"job {slot + 1}";
                                task.Value = 0;
                            }
                        }
                        sweep.Value = results.Sum(r => Weight(r.Cell)) + workers.Sum(w => w.Cell is { } c ? w.Fraction * Weight(c) : 0);
                        int running = workers.Count(w => w.Cell is not null);
                        sweep.Description = string.Create(CultureInfo.InvariantCulture, $"sweep {results.Count}/{mine.Count} cells, {running} running");
                        // Once interrupted the token's handle stays set: wait on the workers alone, or the loop would spin.
                        if (interrupted) wake.WaitOne(100);
                        else WaitHandle.WaitAny([cancel.WaitHandle, wake], 250);
                    }
                    sweep.Value = sweep.MaxValue;
                    sweep.StopTask();
                    foreach (var slot in slots) slot.StopTask();
                });
        }
        finally
        {
            // Every worker is idle now (or the display failed: then a running cell is interrupted); end their input and let them leave.
            foreach (var worker in workers)
            {
                if (worker.Cell is null) worker.EndInput();
                else worker.Interrupt();
                results.AddRange(worker.Drain()); // waits for it to leave; a cell it reported as the loop ended is counted here
                worker.Dispose();
            }
        }
        return [.. results.OrderBy(r => r.Cell.Index)];
    }

    /// <summary>One warm worker process, the cell it is running (if any) and what it has reported of it.</summary>
    private sealed class Worker : IDisposable
    {
        private const int SigTerm = 15;
        private readonly Process process;
        private readonly Queue<string> tail = new();
        private readonly Queue<CellResult> finished = new();
        private SweepCell? cell;
        private long step, total;
        private string description = "";
        private string? message;
        private bool inputEnded;

        private readonly EventWaitHandle wake;

        private Worker(int slot, Process process, EventWaitHandle wake)
        {
            Slot = slot;
            this.process = process;
            this.wake = wake;
        }

        public int Slot { get; }

        /// <summary>The worker's data loads and its memory after each cell, as it reports them (complete once it has exited).</summary>
        public ProcessRecord Record { get; } = new();

        public bool HasExited => process.HasExited;

        /// <summary>The cell the worker is running now; null while it waits for one.</summary>
        public SweepCell? Cell
        {
            get { lock (tail) return cell; }
        }

        public double Fraction
        {
            get { lock (tail) return total > 0 ? step / (double)total : 0; }
        }

        /// <summary>The running cell's step, steps and description; null while the worker waits.</summary>
        public (long Step, long Total, string Description)? Progress
        {
            get { lock (tail) return cell is null ? null : (step, total, description); }
        }

        /// <param name="wake">Set when the worker finishes a cell or exits.</param>
        public static Worker Start(int slot, IReadOnlyList<string> command, int cores, EventWaitHandle wake)
        {
            var start = new ProcessStartInfo(command[0])
            {
                RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            foreach (string argument in command.Skip(1)) start.ArgumentList.Add(argument);
            start.ArgumentList.Add("--worker");
            start.Environment["DOTNET_PROCESSOR_COUNT"] = cores.ToString(CultureInfo.InvariantCulture);
            var process = new Process { StartInfo = start, EnableRaisingEvents = true };
            var worker = new Worker(slot, process, wake);
            process.Exited += (_, _) => worker.Wake();
            if (!process.Start()) throw new InvalidOperationException($"could not start {command[0]}");
            process.OutputDataReceived += (_, e) => worker.Received(e.Data);
            process.ErrorDataReceived += (_, e) => worker.Received(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return worker;
        }

        /// <summary>Hands the worker its next cell (it must be waiting for one).</summary>
        public void Send(SweepCell next)
        {
            lock (tail)
            {
                cell = next;
                (step, total, description, message) = (0, 0, next.Name, null);
                tail.Clear();
            }
            try
            {
                process.StandardInput.WriteLine(CellCommand + next.Name);
                process.StandardInput.Flush();
            }
            catch (IOException)
            {
                // The worker has just died: its exit is noticed on the next turn and this cell fails with its reason.
            }
        }

        /// <summary>No more cells: the worker leaves once it has finished the one it runs.</summary>
        public void EndInput()
        {
            if (inputEnded) return;
            inputEnded = true;
            try { process.StandardInput.Close(); }
            catch (IOException) { } // already gone
        }

        /// <summary>Asks the worker to stop its cell at the next step boundary, as Ctrl+C does to a sequential sweep (SIGTERM is handled the same way), and to leave.</summary>
        public void Interrupt()
        {
            EndInput();
            if (!process.HasExited) _ = Kill(process.Id, SigTerm);
        }

        /// <summary>A cell the worker has finished since the last call, if any.</summary>
        public CellResult? TakeResult()
        {
            lock (tail) return finished.Count > 0 ? finished.Dequeue() : null;
        }

        /// <summary>
        /// The worker has exited: the results it reported last, and, when it died in a cell without reporting it (a native
        /// abort, a kill), that cell as failed with the exit code and its last lines.
        /// </summary>
        public IEnumerable<CellResult> Drain()
        {
            process.WaitForExit(); // drains the output events
            lock (tail)
            {
                var results = finished.ToList();
                finished.Clear();
                if (cell is { } lost)
                {
                    string last = tail.Count > 0 ? string.Join(" | ", tail.TakeLast(3)) : "no output";
                    results.Add(new CellResult(lost, false, RunStatus.Failed, $"its process exited with code {process.ExitCode}: {last}"));
                    cell = null;
                }
                return results;
            }
        }

        public void Dispose() => process.Dispose();

        private void Wake()
        {
            try { wake.Set(); }
            catch (ObjectDisposedException) { } // an exit noticed after the sweep has ended: nobody waits any more
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
                        case "progress" when cell is not null:
                            string[] p = rest.Split(' ');
                            step = long.Parse(p[0], CultureInfo.InvariantCulture);
                            total = long.Parse(p[1], CultureInfo.InvariantCulture);
                            double loss = double.Parse(p[4], CultureInfo.InvariantCulture);
                            description = string.Create(CultureInfo.InvariantCulture, $"{cell.Name} epoch {p[2]}/{p[3]} loss {loss:F3}");
                            return;
                        case "status" when cell is not null:
                            string[] state = rest.Split(' ');
                            finished.Enqueue(new CellResult(cell, state[0] == "skipped", Enum.Parse<RunStatus>(state[1]), message));
                            cell = null;
                            Wake();
                            return;
                        case "message": message = rest; return;
                        case "memory":
                            string[] m = rest.Split(' ');
                            Record.ResidentMb.Add(double.Parse(m[0], CultureInfo.InvariantCulture));
                            Record.DataLoads = int.Parse(m[2], CultureInfo.InvariantCulture);
                            return;
                        case "progress" or "status": return;
                    }
                }
                // A test's pause (TestOnlyPause) announces itself on the worker's stderr: passed on, named, so the test can wait for it.
                if (line.StartsWith("sgdwalk-test-pause:", StringComparison.Ordinal)) Console.Error.WriteLine($"{cell?.Name}: {line}");
                tail.Enqueue(line);
                if (tail.Count > 20) tail.Dequeue();
            }
        }

        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        private static extern int Kill(int pid, int signal);
    }
}
