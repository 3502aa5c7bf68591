using DanVan.Telemetry;

namespace DanVan.Compilation;

/// <summary>A compile's outcome as telemetry: Telemetry/ takes plain values and knows nothing of compilations.</summary>
public static class CompilationTelemetry
{
    /// <summary>The outcome of a compile (made, or the latest one answered because nothing changed), as an event.</summary>
    public static async Task<CompileResult> CompilationAsync(this DanVanTelemetry telemetry, Task<CompileResult> compiling, string actor)
    {
        var result = await compiling;
        telemetry.Compilation(result.Compilation.PeriodId, result.Created, result.Compilation.Version, actor);
        return result;
    }
}
