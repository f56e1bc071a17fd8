using System.Globalization;

namespace SgdWalk.Cli;

/// <summary>
/// TEST-ONLY. Lets a test deliver a signal or a kill at a step it chooses rather than after a sleep, so fault tests
/// do not depend on the machine's speed. Dormant unless the environment variable <see cref="Variable"/> holds a
/// step number; then the run, on reaching that step (before starting it, after the previous step's checkpoint),
/// writes "sgdwalk-test-pause: waiting at step N (pid P)" to stderr and waits until a line or the end of input arrives on
/// stdin, or a stop is requested (Ctrl-C, SIGTERM). Deliberately not an option and not in --help.
/// </summary>
internal static class TestOnlyPause
{
    public const string Variable = "SGDWALK_TEST_ONLY_PAUSE_AT_STEP";

    // Read once: the loop then pays one comparison per step.
    private static readonly string? Value = Environment.GetEnvironmentVariable(Variable);

    /// <summary>Whether the variable is set at all (the CLI installs the pause only then).</summary>
    public static bool Requested => Value is not null;

    public static void At(int step, CancellationToken cancel)
    {
        if (Value is null) return;
        if (!int.TryParse(Value, NumberStyles.None, CultureInfo.InvariantCulture, out int pauseAt))
            throw new ArgumentException($"{Variable} (test-only) must be a step number, not '{Value}'");
        if (step != pauseAt) return;
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sgdwalk-test-pause: waiting at step {step} (pid {Environment.ProcessId})"));
        Console.Error.Flush();
        // A blocked read cannot watch the token, so it runs on a thread of its own and completes a promise; a stop
        // request wakes the wait instead. (Not Task.Run: Wait may run a not-yet-started task inline, and under heavy
        // load the read then blocked this thread with the stop request unseen.)
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() =>
        {
            Console.In.ReadLine();
            released.TrySetResult();
        })
        { IsBackground = true, Name = "test-only pause" }.Start();
        try
        {
            released.Task.Wait(cancel);
        }
        catch (OperationCanceledException)
        {
            // Stop requested while paused: the loop's own check turns it into a clean stop at this step.
        }
    }
}
