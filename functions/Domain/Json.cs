using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DanVan.Domain;

/// <summary>DanVan's one JSON dialect: every API answer and body, and the JSON documents it stores.</summary>
public static class Json
{
    /// <summary>
    /// camelCase, nulls omitted, Vietnamese letters written as themselves (not \uXXXX). Read strictly: an
    /// object that names one property twice is no JSON DanVan takes (readers disagree which one counts).
    /// </summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        AllowDuplicateProperties = false,
    };

    /// <summary>
    /// JSON text as a body carries it, without the UTF-8 byte order mark some editors (Notepad, Excel's
    /// "Save as") put first: RFC 8259 §8.1 lets a parser ignore it, and DanVan does, for every JSON body.
    /// </summary>
    public static ReadOnlySpan<byte> WithoutBom(ReadOnlySpan<byte> utf8) => utf8.StartsWith(Utf8Bom) ? utf8[Utf8Bom.Length..] : utf8;

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];
}
