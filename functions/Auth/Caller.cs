namespace DanVan.Auth;

/// <summary>Who is calling: Sở Nội vụ (the admin) or one reporting unit.</summary>
public sealed record Caller(string? UnitCode)
{
    public static readonly Caller Admin = new((string?)null);

    public bool IsAdmin => UnitCode is null;

    /// <summary>How the audit trail names the caller: "admin" or "unit:so-noi-vu".</summary>
    public string Actor => IsAdmin ? "admin" : $"unit:{UnitCode}";

    /// <summary>Admin, or the unit itself; anyone else is refused without saying whether the unit exists.</summary>
    public bool MayActFor(string unitCode) => IsAdmin || string.Equals(UnitCode, unitCode, StringComparison.Ordinal);
}
