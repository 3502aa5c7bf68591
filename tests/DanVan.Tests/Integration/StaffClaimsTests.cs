using System.Security.Claims;
using DanVan.Auth;
using DanVan.Domain;
using DanVan.Http;

namespace DanVan.Tests.Integration;

/// <summary>Who a validated token's claims make the caller (the signature, issuer, audience and lifetime checks are the end-to-end suite's).</summary>
public sealed class StaffClaimsTests
{
    private static ClaimsIdentity Claims(params (string Type, string Value)[] claims) => new(claims.Select(c => new Claim(c.Type, c.Value)), "test");

    [Fact]
    public void Entras_oid_is_the_stable_id_over_sub_and_the_highest_app_role_counts()
    {
        var caller = StaffTokens.CallerOf(Claims(("sub", "pairwise-sub"), ("oid", "6f1c2b1e-0000-4000-8000-000000000001"), ("name", "Nguyễn Thị Bình"), ("roles", "Viewer"), ("roles", "Leader")), new AuthOptions());

        Assert.Equal((CallerKind.Person, "6f1c2b1e-0000-4000-8000-000000000001", "Nguyễn Thị Bình", StaffRole.Leader), (caller.Kind, caller.Subject, caller.Name, caller.Role));
    }

    [Fact]
    public void A_provider_that_sends_only_groups_gets_roles_through_the_group_map_and_unknown_values_give_nothing()
    {
        var options = new AuthOptions { GroupRoles = { ["grp-officers"] = "Officer", ["grp-leaders"] = "Leader" } };

        var officer = StaffTokens.CallerOf(Claims(("sub", "u1"), ("groups", "grp-other"), ("groups", "grp-officers"), ("roles", "Boss")), options);
        var nobody = StaffTokens.CallerOf(Claims(("sub", "u2"), ("groups", "grp-other"), ("roles", "0"), ("roles", "None")), options);
        var ignoredMap = StaffTokens.CallerOf(Claims(("sub", "u3"), ("groups", "grp-leaders")), new AuthOptions());

        Assert.Equal(StaffRole.Officer, officer.Role);
        Assert.Equal(StaffRole.None, nobody.Role);
        Assert.Equal(StaffRole.None, ignoredMap.Role);
        Assert.Equal("u2", nobody.Name); // no name claim: the subject stands in
    }

    [Fact]
    public void A_configured_roles_claim_is_read_instead_of_roles()
    {
        var caller = StaffTokens.CallerOf(Claims(("sub", "kc-1"), ("roles", "Administrator"), ("danvan_roles", "Officer")), new AuthOptions { RolesClaim = "danvan_roles" });

        Assert.Equal(StaffRole.Officer, caller.Role);
    }

    [Fact]
    public void A_name_cannot_forge_another_subject_into_the_record_and_a_token_without_subject_is_refused()
    {
        var caller = StaffTokens.CallerOf(Claims(("sub", "real"), ("name", "Kẻ giả <dev-pham-minh-an>\n")), new AuthOptions());

        Assert.Equal("real", Actors.IdOf(caller.Actor));
        Assert.Equal("Kẻ giả dev-pham-minh-an, chưa có vai trò <real>", caller.Actor);
        Assert.Equal(401, ProblemMiddleware.StatusOf(Assert.Throws<DomainException>(() => StaffTokens.CallerOf(Claims(("name", "Không có sub")), new AuthOptions()))));
    }
}
