using DanVan.Http;

namespace DanVan.Tests.Http;

public sealed class RouteValuesTests
{
    [Theory]
    [InlineData("1", 1)]
    [InlineData("12", 12)]
    [InlineData("2147483647", int.MaxValue)]
    public void A_canonical_positive_number_parses(string text, int expected) =>
        Assert.Equal(expected, RouteValues.PositiveInt(text));

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("01")]
    [InlineData("007")]
    [InlineData("+1")]
    [InlineData("-1")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("1.0")]
    [InlineData("1e3")]
    [InlineData("0x1")]
    [InlineData("2147483648")]
    [InlineData("99999999999")]
    [InlineData("١")]
    [InlineData("１")]
    [InlineData("latest")]
    [InlineData(null)]
    public void Anything_else_is_no_number(string? text) =>
        Assert.Null(RouteValues.PositiveInt(text));
}
