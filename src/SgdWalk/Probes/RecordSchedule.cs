using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SgdWalk.Probes;

/// <summary>
/// Which steps an expensive probe measures. Terms joined by '+', any of which selects a step:
/// <c>all</c>, <c>none</c>, <c>steps:0-49</c> (0-based steps, ranges and lists: <c>steps:0-9,100</c>),
/// <c>every:10</c> (steps divisible by 10), <c>epochs:1,10,25</c> (every step of those 1-based epochs).
/// Example, the default: <c>steps:0-49+every:10</c>. Parsed once where the text comes in (the command line, a preset,
/// run.json); two schedules are equal when their texts are, and run.json writes the text.
/// </summary>
[JsonConverter(typeof(TextJson))]
public sealed class RecordSchedule : IEquatable<RecordSchedule>
{
    private readonly List<Func<int, int, bool>> terms;

    private RecordSchedule(string text, List<Func<int, int, bool>> terms, int interval)
    {
        Text = text;
        this.terms = terms;
        Interval = interval;
    }

    public const string Default = "steps:0-49+every:10";

    public static RecordSchedule All { get; } = Parse("all");

    public static RecordSchedule None { get; } = Parse("none");

    public string Text { get; }

    public bool IsNone => terms.Count == 0;

    /// <summary>N of a schedule that is exactly every:N (the steps between recorded steps); 1 for any other schedule.</summary>
    public int Interval { get; }

    /// <summary>Does the schedule select this 0-based step of this 1-based epoch?</summary>
    public bool Includes(int step, int epoch) => terms.Any(t => t(step, epoch));

    public override string ToString() => Text;

    public bool Equals(RecordSchedule? other) => other is not null && other.Text == Text;

    public override bool Equals(object? obj) => Equals(obj as RecordSchedule);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Text);

    public static RecordSchedule Parse(string text)
    {
        var terms = new List<Func<int, int, bool>>();
        int interval = 1;
        string[] parts = text.Split('+', StringSplitOptions.TrimEntries);
        foreach (var raw in parts)
        {
            int colon = raw.IndexOf(':');
            string kind = colon < 0 ? raw : raw[..colon], argument = colon < 0 ? "" : raw[(colon + 1)..];
            switch (kind)
            {
                case "all" when argument == "": terms.Add((_, _) => true); break;
                case "none" when argument == "": break;
                case "every":
                    int n = ParseCount(argument, raw);
                    if (parts.Length == 1) interval = n;
                    terms.Add((step, _) => step % n == 0);
                    break;
                case "steps":
                    var steps = ParseRanges(argument, raw);
                    terms.Add((step, _) => steps.Any(r => step >= r.From && step <= r.To));
                    break;
                case "epochs":
                    var epochs = ParseRanges(argument, raw);
                    terms.Add((_, epoch) => epochs.Any(r => epoch >= r.From && epoch <= r.To));
                    break;
                default:
                    throw new FormatException($"record schedule '{text}': unknown term '{raw}'; use all, none, steps:A-B, every:N or epochs:E1,E2 joined by '+'");
            }
        }
        return new RecordSchedule(text, terms, interval);
    }

    private static int ParseCount(string argument, string term) =>
        int.TryParse(argument, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0
            ? n
            : throw new FormatException($"record schedule term '{term}': expected a positive whole number after 'every:'");

    private static List<(int From, int To)> ParseRanges(string argument, string term)
    {
        var ranges = new List<(int, int)>();
        foreach (var part in argument.Split(',', StringSplitOptions.TrimEntries))
        {
            var ends = part.Split('-');
            bool ok = ends.Length is 1 or 2;
            int from = 0, to = 0;
            ok = ok && int.TryParse(ends[0], NumberStyles.None, CultureInfo.InvariantCulture, out from);
            to = from;
            ok = ok && (ends.Length == 1 || int.TryParse(ends[1], NumberStyles.None, CultureInfo.InvariantCulture, out to));
            if (!ok || to < from)
                throw new FormatException($"record schedule term '{term}': '{part}' is not a number or a range A-B with A <= B");
            ranges.Add((from, to));
        }
        return ranges;
    }

    /// <summary>As its text in JSON; a text that is not a schedule is a JSON error naming the problem.</summary>
    internal sealed class TextJson : JsonConverter<RecordSchedule>
    {
        public override RecordSchedule Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.String) throw new JsonException($"a record schedule must be a string (got {reader.TokenType})");
            try { return Parse(reader.GetString()!); }
            catch (FormatException e) { throw new JsonException(e.Message, e); }
        }

        public override void Write(Utf8JsonWriter writer, RecordSchedule value, JsonSerializerOptions options) => writer.WriteStringValue(value.Text);
    }
}
