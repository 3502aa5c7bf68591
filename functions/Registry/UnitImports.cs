using System.Security.Cryptography;
using System.Text.Json;
using DanVan.Domain;

namespace DanVan.Registry;

/// <summary>One field a row changes: its value in the registry now and in the file.</summary>
public sealed record FieldChange(string Field, string? Before, string? After);

/// <summary>One thing wrong in a file, where a person finds it: the cell ("C5"), the field, a stable code, Vietnamese words.</summary>
public sealed record CellError(string Cell, string Field, string Code, string Detail);

/// <summary>
/// What one row of the file would do: <c>added</c> (a new unit), <c>changed</c> (name, group, addresses, dates),
/// <c>ended</c> (a unit that stops: its last day set or moved earlier), <c>unchanged</c>, or <c>invalid</c> (see errors).
/// </summary>
public sealed record PreviewRow(int Line, string? Code, string? Name, string Action, IReadOnlyList<FieldChange> Changes, IReadOnlyList<CellError> Errors);

/// <summary>
/// The preview of an import. <see cref="PreviewId"/> is the hash of what would be written and of what it replaces:
/// applying with it writes exactly this, and is refused when the file or the registry changed since.
/// </summary>
public sealed record ImportPreview(string PreviewId, string Format, int Added, int Changed, int Ended, int Unchanged, int Invalid, IReadOnlyList<PreviewRow> Rows)
{
    /// <summary>Whether <paramref name="text"/> is written as a preview id is (a SHA-256 in lowercase hex).</summary>
    public static bool IsId(string text) => text.Length == 64 && text.All(char.IsAsciiHexDigitLower);
}

public static class ImportActions
{
    public const string Added = "added";
    public const string Changed = "changed";
    public const string Ended = "ended";
    public const string Unchanged = "unchanged";
    public const string Invalid = "invalid";
}

/// <summary>
/// Import of a registry file in two steps: <see cref="PreviewAsync"/> says row by row what would be added, changed
/// and ended and every error by cell, writing nothing; <see cref="ApplyAsync"/> writes it, all or nothing
/// (<see cref="UnitRegistry.ImportAsync"/>), only if there is no error and, when a preview id is given, only if the
/// same file against the same registry still gives that preview.
/// </summary>
public sealed class UnitImports(UnitRegistry registry)
{
    private static readonly JsonSerializerOptions HashJson = new(JsonSerializerDefaults.Web);

    public async Task<ImportPreview> PreviewAsync(ParsedImport file, CancellationToken ct = default)
    {
        var existing = (await registry.ListAsync(ct)).ToDictionary(u => u.Code, StringComparer.Ordinal);
        var rows = new List<PreviewRow>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var hashed = new List<object?>();
        for (var i = 0; i < file.Rows.Count; i++)
        {
            var row = file.Rows[i];
            var violations = row.Errors.ToList();
            var unit = violations.Count == 0 ? UnitRules.Validate(row.Record, i, violations) : null;
            if (unit is not null && !seen.TryAdd(unit.Code, row.Line))
            {
                violations.Add(new Violation(i, "code", "duplicate_code", $"Mã đơn vị \"{unit.Code}\" đã có ở dòng {seen[unit.Code]}."));
                unit = null;
            }

            var errors = violations.Select(v => new CellError(row.CellOf(v.Field), v.Field, v.Code, v.Detail)).ToList();
            existing.TryGetValue(unit?.Code ?? row.Record.Code ?? "", out var before);
            var changes = unit is null ? [] : Changes(before, unit);
            var action = unit is null ? ImportActions.Invalid
                : before is null ? ImportActions.Added
                : changes.Count == 0 ? ImportActions.Unchanged
                : unit.ActiveTo is { } to && (before.ActiveTo is null || to < before.ActiveTo) ? ImportActions.Ended
                : ImportActions.Changed;
            rows.Add(new PreviewRow(row.Line, unit?.Code ?? row.Record.Code, unit?.Name ?? row.Record.Name, action, changes, errors));
            hashed.Add(new { line = row.Line, unit = unit is null ? null : UnitRecord.From(unit), before = before is null ? null : UnitRecord.From(before) });
        }

        var id = Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(new { file.Format, rows = hashed }, HashJson)));
        int Count(string action) => rows.Count(r => r.Action == action);
        return new ImportPreview(id, file.Format, Count(ImportActions.Added), Count(ImportActions.Changed), Count(ImportActions.Ended), Count(ImportActions.Unchanged), Count(ImportActions.Invalid), rows);
    }

    /// <summary>Writes the file's units, all or none; refused with every error by cell, or when <paramref name="previewId"/> no longer matches.</summary>
    public async Task<(ImportResult Result, ImportPreview Preview)> ApplyAsync(ParsedImport file, string? previewId, CancellationToken ct = default)
    {
        var preview = await PreviewAsync(file, ct);
        var errors = preview.Rows.SelectMany((r, i) => r.Errors.Select(e => new Violation(i, e.Field, e.Code, $"Dòng {r.Line}, ô {e.Cell}: {e.Detail}"))).ToList();
        if (file.Rows.Count == 0)
        {
            errors.Add(new Violation(null, "", "empty_import", "Tệp không có đơn vị nào."));
        }

        if (errors.Count > 0)
        {
            throw DomainException.Invalid($"Không nhập đơn vị nào: {errors.Count} lỗi trong tệp.", errors);
        }

        if (previewId is not null && !string.Equals(previewId, preview.PreviewId, StringComparison.Ordinal))
        {
            throw RefusalCodes.ImportPreviewOutdated.Because(
                "Tệp hoặc danh sách đơn vị đã thay đổi kể từ khi xem trước. Vui lòng xem trước lại rồi xác nhận.");
        }

        var result = await registry.ImportAsync(file.Rows.Select(r => (UnitRecord?)r.Record).ToList(), ct);
        return (result, preview);
    }

    private static List<FieldChange> Changes(Unit? before, Unit after)
    {
        var a = UnitRecord.From(after);
        if (before is null)
        {
            return [];
        }

        var b = UnitRecord.From(before);
        var changes = new List<FieldChange>();
        void Compare(string field, string? x, string? y)
        {
            if (!string.Equals(x ?? "", y ?? "", StringComparison.Ordinal))
            {
                changes.Add(new FieldChange(field, x, y));
            }
        }

        Compare("name", b.Name, a.Name);
        Compare("group", b.Group, a.Group);
        Compare("emails", string.Join("; ", b.Emails ?? []), string.Join("; ", a.Emails ?? []));
        Compare("headEmail", b.HeadEmail, a.HeadEmail);
        Compare("activeFrom", b.ActiveFrom, a.ActiveFrom);
        Compare("activeTo", b.ActiveTo, a.ActiveTo);
        return changes;
    }
}
