namespace DanVan.Auth;

/// <summary>
/// The roles of Sở Nội vụ's staff, each including the powers of those before it. The names are the app role values
/// (Entra ID app roles, or a provider's roles claim); Vietnamese: Xem, Chuyên viên, Lãnh đạo, Quản trị.
/// </summary>
public enum StaffRole
{
    /// <summary>Signed in, but given no role: may only ask who they are.</summary>
    None = 0,
    Viewer = 1,
    Officer = 2,
    Leader = 3,
    Administrator = 4,
}

public static class StaffRoles
{
    /// <summary>The role as people read it: "Xem", "Chuyên viên", "Lãnh đạo", "Quản trị".</summary>
    public static string Title(this StaffRole role) => role switch
    {
        StaffRole.Viewer => "Xem",
        StaffRole.Officer => "Chuyên viên",
        StaffRole.Leader => "Lãnh đạo",
        StaffRole.Administrator => "Quản trị",
        _ => "Chưa có vai trò",
    };

    /// <summary>The role after a name in a record: "Nguyễn Thị Bình, chuyên viên".</summary>
    public static string Describes(this StaffRole role) => role switch
    {
        StaffRole.Viewer => "người xem",
        StaffRole.Officer => "chuyên viên",
        StaffRole.Leader => "lãnh đạo",
        StaffRole.Administrator => "quản trị",
        _ => "chưa có vai trò",
    };

    /// <summary>A role value from a token or a setting ("Officer", case-insensitive); null if it names none.</summary>
    public static StaffRole? Parse(string? value) =>
        Enum.TryParse<StaffRole>(value, ignoreCase: true, out var role) && role != StaffRole.None && Enum.IsDefined(role) && !int.TryParse(value, out _) ? role : null;

    /// <summary>Every role a person has, highest first (the roles below the highest are included in it).</summary>
    public static IReadOnlyList<StaffRole> UpTo(StaffRole role) =>
        Enum.GetValues<StaffRole>().Where(r => r != StaffRole.None && r <= role).OrderDescending().ToList();
}

public enum CallerKind
{
    /// <summary>A reporting unit, with its emailed credential.</summary>
    Unit,

    /// <summary>A signed-in member of Sở Nội vụ's staff (or a viewer), by name.</summary>
    Person,

    /// <summary>The shared break-glass token (<c>DanVan__AdminToken</c>), when <c>DanVan__Auth__BreakGlass</c> allows it.</summary>
    BreakGlass,
}

/// <summary>Who is calling: one reporting unit, one named person of Sở Nội vụ's side with a role, or the break-glass token.</summary>
public sealed record Caller
{
    private Caller(CallerKind kind, string? unitCode, string? subject, string? name, StaffRole role)
    {
        Kind = kind;
        UnitCode = unitCode;
        Subject = subject;
        Name = name;
        Role = role;
    }

    /// <summary>The break-glass token: every power, recorded as <see cref="Actors.BreakGlass"/>.</summary>
    public static readonly Caller BreakGlass = new(CallerKind.BreakGlass, null, null, null, StaffRole.Administrator);

    public static Caller ForUnit(string unitCode) => new(CallerKind.Unit, unitCode, null, null, StaffRole.None);

    /// <summary>A unit, with its registry record as read when its credential was checked, so the request need not read it again.</summary>
    public static Caller ForUnit(DanVan.Domain.Unit unit) => ForUnit(unit.Code) with { Registered = unit };

    /// <summary>The calling unit's registry record as this request read it (null for people and break-glass).</summary>
    public DanVan.Domain.Unit? Registered { get; private init; }

    /// <summary>A person: <paramref name="subject"/> is the stable id (Entra <c>oid</c>, else <c>sub</c>).</summary>
    public static Caller Person(string subject, string name, StaffRole role) => new(CallerKind.Person, null, subject, name, role);

    public CallerKind Kind { get; }

    /// <summary>The unit, for a unit's credential; null for Sở Nội vụ's side.</summary>
    public string? UnitCode { get; }

    /// <summary>A person's stable id; null for a unit or break-glass.</summary>
    public string? Subject { get; }

    /// <summary>A person's display name; null for a unit or break-glass.</summary>
    public string? Name { get; }

    /// <summary>A person's highest role (Administrator for break-glass, None for a unit).</summary>
    public StaffRole Role { get; }

    /// <summary>Sở Nội vụ's side (a person or break-glass): sees every unit, acts on a unit's behalf.</summary>
    public bool IsAdmin => Kind != CallerKind.Unit;

    /// <summary>How records name the caller: "Nguyễn Thị Bình, chuyên viên &lt;sub&gt;", "break-glass" or "unit:so-noi-vu".</summary>
    public string Actor => Kind switch
    {
        CallerKind.Unit => $"unit:{UnitCode}",
        CallerKind.Person => Actors.Person(Name!, Role, Subject!),
        _ => Actors.BreakGlass,
    };

    /// <summary>Staff with at least <paramref name="role"/> (break-glass has every role); never a unit.</summary>
    public bool Has(StaffRole role) => IsAdmin && Role >= role;

    /// <summary>Sở Nội vụ's side, or the unit itself; anyone else is refused without saying whether the unit exists.</summary>
    public bool MayActFor(string unitCode) => IsAdmin || string.Equals(UnitCode, unitCode, StringComparison.Ordinal);
}

/// <summary>
/// The one way a record names who acted, as one string (audit, decision history, compilation and finalization records,
/// the email ledger): a person as "Nguyễn Thị Bình, chuyên viên &lt;subject&gt;", the break-glass token as
/// "break-glass", a unit as "unit:code", the app's own timers by their name.
/// </summary>
public static class Actors
{
    public const string BreakGlass = "break-glass";

    public static string Person(string name, StaffRole role, string subject) => $"{name}, {role.Describes()} <{subject}>";

    /// <summary>The stable id in an actor: a person's subject, or the actor itself (break-glass, unit:code).</summary>
    public static string IdOf(string actor) =>
        actor.EndsWith('>') && actor.LastIndexOf(" <", StringComparison.Ordinal) is var open and >= 0 ? actor[(open + 2)..^1] : actor;

    /// <summary>How a person reads the actor: "Nguyễn Thị Bình, chuyên viên", "mã khẩn cấp (break-glass)".</summary>
    public static string Display(string actor) =>
        actor == BreakGlass ? "mã khẩn cấp (break-glass) của Sở Nội vụ"
        : actor.EndsWith('>') && actor.LastIndexOf(" <", StringComparison.Ordinal) is var open and >= 0 ? actor[..open]
        : actor;
}
