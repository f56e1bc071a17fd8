using System.Text.Json;
using System.Text.Json.Nodes;

namespace SgdWalk.Probes;

/// <summary>
/// The recorder's options as run.json's `options` spell them, for trainer and library runs alike: each knob of
/// <see cref="RecorderOptions"/> under its own snake_case key, the sharpness knobs beside them (the schedule under
/// `sharpness`, as `--sharpness` spells it), and the alignment knobs as one object `alignment`, left out while alignment
/// is off. What a run derives for the recorder is [JsonIgnore]d on the records and not written. Flat, not nested, because
/// run folders, checkpoints and sweep.json files written before the options were nested use exactly these keys: they
/// read unchanged. A new knob of the records needs nothing here.
/// </summary>
public static class RecorderOptionsJson
{
    /// <summary>The keys and values, in the records' order.</summary>
    public static IEnumerable<KeyValuePair<string, JsonNode?>> Write(RecorderOptions options, JsonSerializerOptions json)
    {
        var (sharpness, schedule, alignment) = Names(json);
        foreach (var (key, value) in (JsonObject)JsonSerializer.SerializeToNode(options, json)!)
        {
            if (key == sharpness)
                foreach (var (knob, setting) in (JsonObject)value!)
                    yield return new(knob == schedule ? sharpness : knob, setting?.DeepClone());
            else if (key != alignment || options.Alignment.Enabled)
                yield return new(key, value?.DeepClone());
        }
    }

    /// <summary>The recorder's options from a flat object written by <see cref="Write"/>; other keys are left alone, a key not there
    /// (or null) keeps the default.</summary>
    /// <exception cref="JsonException">A value is not of its knob's type (a schedule that does not parse, a word for a number).</exception>
    public static RecorderOptions Read(JsonObject flat, JsonSerializerOptions json)
    {
        var (sharpness, schedule, _) = Names(json);
        var recorder = new JsonObject();
        foreach (var property in json.GetTypeInfo(typeof(RecorderOptions)).Properties)
        {
            if (property.Name != sharpness)
            {
                Copy(property.Name, recorder, property.Name);
                continue;
            }
            var knobs = new JsonObject();
            foreach (var knob in json.GetTypeInfo(typeof(SharpnessOptions)).Properties)
                Copy(knob.Name == schedule ? sharpness : knob.Name, knobs, knob.Name);
            recorder[sharpness] = knobs;
        }
        return recorder.Deserialize<RecorderOptions>(json)!;

        void Copy(string from, JsonObject to, string key)
        {
            if (flat[from] is { } value) to[key] = value.DeepClone();
        }
    }

    private static (string Sharpness, string Schedule, string Alignment) Names(JsonSerializerOptions json)
    {
        string Name(string property) => json.PropertyNamingPolicy?.ConvertName(property) ?? property;
        return (Name(nameof(RecorderOptions.Sharpness)), Name(nameof(SharpnessOptions.Schedule)), Name(nameof(RecorderOptions.Alignment)));
    }
}
