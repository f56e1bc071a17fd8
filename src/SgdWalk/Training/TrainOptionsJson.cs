using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using SgdWalk.Probes;

namespace SgdWalk.Training;

/// <summary>
/// <see cref="TrainOptions"/> as run.json's, sweep.json's and the checkpoints' `options`: one flat object. The run's own
/// options are written as the serializer would (snake_case names, in declaration order, an [JsonIgnore]d or null-skipped
/// one left out); in place of <see cref="TrainOptions.Recorder"/> come the recorder's keys (<see cref="RecorderOptionsJson"/>).
/// Folders written while those knobs were flat properties of TrainOptions have exactly these keys and read as they are.
/// Reading starts from the defaults: a key not there keeps its default, keys that are not options (run.json adds some,
/// such as data_sha256) are left alone.
/// </summary>
internal sealed class TrainOptionsJson : JsonConverter<TrainOptions>
{
    private static readonly PropertyInfo[] Properties = typeof(TrainOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.SetMethod is { IsPublic: true } && p.GetCustomAttribute<JsonIgnoreAttribute>() is not { Condition: JsonIgnoreCondition.Always })
        .OrderBy(p => p.MetadataToken)
        .ToArray();

    public override TrainOptions Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (JsonNode.Parse(ref reader) is not JsonObject json) throw new JsonException("the options must be a JSON object");
        var result = new TrainOptions();
        foreach (var property in Properties)
        {
            if (property.Name == nameof(TrainOptions.Recorder))
                property.SetValue(result, RecorderOptionsJson.Read(json, options));
            else if (json.TryGetPropertyValue(Name(property, options), out var value))
                property.SetValue(result, value.Deserialize(property.PropertyType, options));
        }
        return result;
    }

    public override void Write(Utf8JsonWriter writer, TrainOptions value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var property in Properties)
        {
            object? setting = property.GetValue(value);
            if (setting is RecorderOptions recorder)
            {
                foreach (var (key, knob) in RecorderOptionsJson.Write(recorder, options))
                {
                    writer.WritePropertyName(key);
                    JsonSerializer.Serialize(writer, knob, options);
                }
                continue;
            }
            if (setting is null && property.GetCustomAttribute<JsonIgnoreAttribute>() is { Condition: JsonIgnoreCondition.WhenWritingNull }) continue;
            // A switch added later (end_curvature) is written only when on, so the runs and checkpoints before it keep their keys.
            if (setting is false && property.GetCustomAttribute<JsonIgnoreAttribute>() is { Condition: JsonIgnoreCondition.WhenWritingDefault }) continue;
            writer.WritePropertyName(Name(property, options));
            JsonSerializer.Serialize(writer, setting, property.PropertyType, options);
        }
        writer.WriteEndObject();
    }

    private static string Name(PropertyInfo property, JsonSerializerOptions options) =>
        property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? options.PropertyNamingPolicy?.ConvertName(property.Name) ?? property.Name;
}
