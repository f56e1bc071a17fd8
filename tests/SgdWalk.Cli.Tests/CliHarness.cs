using Spectre.Console.Testing;

namespace SgdWalk.Cli.Tests;

/// <summary>Runs the CLI in-process against a recording console.</summary>
internal static class CliHarness
{
    public static (int ExitCode, string Output) Run(params string[] args) => Run(CancellationToken.None, args);

    /// <summary>With a cancellation token, as Ctrl-C delivers it (an already cancelled one stops before the first step).</summary>
    public static (int ExitCode, string Output) Run(CancellationToken cancel, params string[] args)
    {
        var console = new TestConsole().Width(200);
        int code = Program.Run(args, console, cancel);
        return (code, console.Output);
    }
}
