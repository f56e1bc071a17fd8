using Spectre.Console;

namespace SgdWalk.Cli.Commands;

/// <summary>The one way the command line says what went wrong: "sgdwalk: error: …" on one line, the text escaped.</summary>
internal static class CliError
{
    public static void Write(IAnsiConsole console, string? message) =>
        console.MarkupLineInterpolated($"[red]sgdwalk: error:[/] {message}");

    /// <summary>Each problem on its line (repeats once), and the exit code of bad input.</summary>
    public static int Refuse(IAnsiConsole console, IEnumerable<string> problems)
    {
        foreach (var problem in problems.Distinct()) Write(console, problem);
        return ExitCodes.InvalidInput;
    }
}
