using System.Globalization;
using SgdWalk.Reporting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SgdWalk.Cli.Commands;

/// <summary>`sgdwalk report`: figures, report.html and summary.md redrawn from a run or sweep folder's files alone.</summary>
public sealed class ReportCommand(IAnsiConsole console) : Command<ReportFolderSettings>
{
    public override int Execute(CommandContext context, ReportFolderSettings settings, CancellationToken cancellation)
    {
        if (!TryOptions(settings, out var options, out string? error))
        {
            CliError.Write(console, error);
            return ExitCodes.InvalidInput;
        }
        // A wrong path is bad input (2, as every command says it); a damaged file inside a real folder is a failure (1).
        if (ReportBuilder.NotReportable(settings.Folder) is { } problem)
        {
            CliError.Write(console, problem);
            return ExitCodes.InvalidInput;
        }
        return Write(console, settings.Folder, options) ? ExitCodes.Success : ExitCodes.Failed;
    }

    /// <summary>Builds the report and says where it is; false (with a one-line message) when it cannot.</summary>
    public static bool Write(IAnsiConsole console, string folder, ReportOptions options)
    {
        try
        {
            var written = ReportBuilder.Build(folder, options, line => console.MarkupLineInterpolated($"[yellow]report:[/] {line}"));
            string? html = written.FirstOrDefault(p => p.EndsWith("report.html", StringComparison.Ordinal));
            console.MarkupLineInterpolated($"report: {written.Count(p => p.EndsWith(".png", StringComparison.Ordinal))} figures, {html ?? Path.Combine(folder, "report.html")}");
            return true;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException)
        {
            CliError.Write(console, e.Message);
            return false;
        }
    }

    public static bool TryOptions(ReportSettings settings, out ReportOptions options, out string? error)
    {
        options = new ReportOptions();
        error = null;
        var size = settings.FigureSize.Split('x');
        if (size.Length != 2 || !int.TryParse(size[0], NumberStyles.None, CultureInfo.InvariantCulture, out int width)
            || !int.TryParse(size[1], NumberStyles.None, CultureInfo.InvariantCulture, out int height)
            || width < 200 || height < 200 || width > ReportOptions.MaxSide || height > ReportOptions.MaxSide)
        {
            error = $"--figure-size must be WIDTHxHEIGHT with both from 200 to {ReportOptions.MaxSide} (got '{settings.FigureSize}')";
            return false;
        }
        options = options with { Width = width, Height = height };
        if (settings.Window is { } window)
        {
            var parts = window.Split(':');
            if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int start)
                || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count < 1)
            {
                error = $"--window must be START:COUNT with a step and a positive count, e.g. 100:50 (got '{window}')";
                return false;
            }
            options = options with { WindowStart = start, WindowCount = count };
        }
        if (settings.ProfileEpochs is { } epochs)
        {
            var list = new List<int>();
            foreach (var part in epochs.Split(','))
            {
                if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int e) || e < 1)
                {
                    error = $"--profile-epochs must list epochs from 1, e.g. 1,10,25 (got '{epochs}')";
                    return false;
                }
                list.Add(e);
            }
            options = options with { ProfileEpochs = list };
        }
        return true;
    }
}
