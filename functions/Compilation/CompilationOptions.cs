using System.ComponentModel.DataAnnotations;

namespace DanVan.Compilation;

/// <summary>Settings of the compiled bundle, under <c>DanVan__Compilation__*</c>.</summary>
public sealed class CompilationOptions
{
    public const string Section = "DanVan:Compilation";

    /// <summary>The province whose People's Committee issues the report, as written in a sentence ("Vĩnh Phúc"); the header upper-cases it.</summary>
    [Required(ErrorMessage = "DanVan__Compilation__ProvinceName must not be empty.")]
    [MaxLength(60, ErrorMessage = "DanVan__Compilation__ProvinceName must be at most 60 characters.")]
    public string ProvinceName { get; set; } = "Vĩnh Phúc";
}
