using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Spectre.Console.Cli;

namespace SgdWalk.Cli.Commands;

/// <summary>
/// Words the command-line parser's own errors as ours: one line naming the option and what it accepts. Spectre
/// reports a value it cannot convert as "Failed to convert 'inf' to Double.", naming neither the option nor the range.
/// </summary>
internal static partial class OptionErrors
{
    public static string Explain(Exception exception, IReadOnlyList<string> args)
    {
        string message = exception.Message.Split('\n')[0].Trim();
        var match = ConversionFailed().Match(message);
        if (!match.Success) return message;
        string value = match.Groups[1].Value;
        string? option = OptionOf(value, args);
        if (option is null) return message;
        string expected = OptionType(option, args.Count > 0 ? args[0] : "") switch
        {
            var t when t == typeof(double) => "a finite number, e.g. 0.1",
            var t when t == typeof(int) => string.Create(CultureInfo.InvariantCulture, $"a whole number from 0 to {int.MaxValue}"),
            var t when t == typeof(long) => string.Create(CultureInfo.InvariantCulture, $"a whole number from {long.MinValue} to {long.MaxValue}"),
            var t when t == typeof(bool) => "true or false",
            _ => "a value of the documented form (see --help)",
        };
        return $"{option}: '{value}' is not {expected}";
    }

    /// <summary>The option the value was given to: "--lr inf" or "--lr=inf" (the last one, as the parser keeps the last).</summary>
    private static string? OptionOf(string value, IReadOnlyList<string> args)
    {
        string? found = null;
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal)) continue;
            int equals = a.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && a[(equals + 1)..] == value) found = a[..equals];
            else if (equals < 0 && i + 1 < args.Count && args[i + 1] == value) found = a;
        }
        return found;
    }

    /// <summary>The property type behind an option of a command (`train` → TrainCommand's settings), nullable unwrapped.</summary>
    private static Type? OptionType(string option, string command)
    {
        string name = option[2..];
        var commandType = typeof(OptionErrors).Assembly.GetTypes().FirstOrDefault(t =>
            string.Equals(t.Name, command.Replace("-", "", StringComparison.Ordinal) + "Command", StringComparison.OrdinalIgnoreCase));
        var settings = commandType?.BaseType is { IsGenericType: true } b ? b.GetGenericArguments()[0] : null;
        if (settings is null) return null;
        foreach (var property in settings.GetProperties())
        {
            var attribute = property.GetCustomAttribute<CommandOptionAttribute>();
            if (attribute is not null && attribute.LongNames.Contains(name))
                return Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        }
        return null;
    }

    [GeneratedRegex("^Failed to convert '(.*)' to .+\\.$")]
    private static partial Regex ConversionFailed();
}
