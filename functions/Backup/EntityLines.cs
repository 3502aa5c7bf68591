using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;

namespace DanVan.Backup;

/// <summary>
/// One table row as one line of JSON, and back, with every property's type kept so a restored row is the row that was
/// backed up: <c>{"ts":…,"pk":…,"rk":…,"p":{…}}</c>. Strings, booleans and Int32 are plain JSON; Int64, Double,
/// DateTime, Guid and Binary are <c>{"t":type,"v":text}</c> (a JSON number cannot carry an Int64 or a double exactly,
/// nor say which of them it is). <c>ts</c> is storage's Timestamp when the row was read: information only, since storage
/// sets its own on every write. The row's content (<see cref="Content"/>: keys and properties in ordinal order of their
/// names, without <c>ts</c>) is what the manifest hashes, so a restored table hashes the same as its backup.
/// </summary>
public static class EntityLines
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The row's content: keys and typed properties, canonical (property names in ordinal order), no Timestamp.</summary>
    public static byte[] Content(TableEntity row)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("pk", row.PartitionKey);
            json.WriteString("rk", row.RowKey);
            json.WriteStartObject("p");
            foreach (var name in row.Keys.Where(IsProperty).Order(StringComparer.Ordinal))
            {
                WriteValue(json, name, row[name]);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>The stored line: the content with the row's Timestamp in front, and a newline.</summary>
    public static byte[] Line(TableEntity row, byte[] content)
    {
        var ts = row.Timestamp is { } at ? "{\"ts\":\"" + at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture) + "\"," : "{";
        var prefix = Encoding.UTF8.GetBytes(ts);
        var line = new byte[prefix.Length + content.Length]; // content's own '{' is replaced by the prefix; '\n' takes its place at the end
        prefix.CopyTo(line, 0);
        content.AsSpan(1).CopyTo(line.AsSpan(prefix.Length));
        line[^1] = (byte)'\n';
        return line;
    }

    /// <summary>The row a line holds, with the content bytes it hashes as (<see cref="Content"/>).</summary>
    public static (TableEntity Row, byte[] Content) Parse(ReadOnlySpan<byte> line)
    {
        using var doc = JsonDocument.Parse(line.ToArray());
        var root = doc.RootElement;
        var row = new TableEntity(root.GetProperty("pk").GetString(), root.GetProperty("rk").GetString());
        foreach (var p in root.GetProperty("p").EnumerateObject())
        {
            row[p.Name] = ReadValue(p.Value);
        }

        return (row, Content(row));
    }

    private static bool IsProperty(string name) => name is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag");

    private static void WriteValue(Utf8JsonWriter json, string name, object? value)
    {
        switch (value)
        {
            case null:
                json.WriteNull(name);
                break;
            case string s:
                json.WriteString(name, s);
                break;
            case bool b:
                json.WriteBoolean(name, b);
                break;
            case int i:
                json.WriteNumber(name, i);
                break;
            case long l:
                Typed(json, name, "Int64", l.ToString(CultureInfo.InvariantCulture));
                break;
            case double d:
                Typed(json, name, "Double", d.ToString("R", CultureInfo.InvariantCulture));
                break;
            case DateTimeOffset at:
                Typed(json, name, "DateTime", at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
                break;
            case DateTime at:
                Typed(json, name, "DateTime", at.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
                break;
            case Guid g:
                Typed(json, name, "Guid", g.ToString("D"));
                break;
            case byte[] bytes:
                Typed(json, name, "Binary", Convert.ToBase64String(bytes));
                break;
            case BinaryData data:
                Typed(json, name, "Binary", Convert.ToBase64String(data.ToArray()));
                break;
            default:
                throw new NotSupportedException($"Property {name} has a type tables do not store: {value.GetType().Name}.");
        }
    }

    private static void Typed(Utf8JsonWriter json, string name, string type, string text)
    {
        json.WriteStartObject(name);
        json.WriteString("t", type);
        json.WriteString("v", text);
        json.WriteEndObject();
    }

    private static object? ReadValue(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => value.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number => value.GetInt32(),
        JsonValueKind.Object => ReadTyped(value.GetProperty("t").GetString(), value.GetProperty("v").GetString() ?? ""),
        _ => throw new FormatException($"A property value of kind {value.ValueKind} is not a backed-up value."),
    };

    private static object ReadTyped(string? type, string text) => type switch
    {
        "Int64" => long.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
        "Double" => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        "DateTime" => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind | DateTimeStyles.AssumeUniversal),
        "Guid" => Guid.ParseExact(text, "D"),
        "Binary" => Convert.FromBase64String(text),
        _ => throw new FormatException($"Unknown property type '{type}' in a backup line."),
    };
}
