using Spectre.Console.Testing;

namespace SgdWalk.Cli.Tests;

/// <summary>Runs the CLI in-process against a recording console.</summary>
internal static class CliHarness
{
    public static (int ExitCode, string Output) Run(params string[] args)
    {
        var console = new TestConsole().Width(200);
        int code = Program.Run(args, console);
        return (code, console.Output);
    }
}
