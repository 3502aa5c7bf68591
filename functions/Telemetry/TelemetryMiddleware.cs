using System.Diagnostics;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;

namespace DanVan.Telemetry;

/// <summary>
/// Around every invocation: a log scope with the invocation id, the function, and the period and unit the
/// request names (route values <c>periodId</c>/<c>unitCode</c>, or <c>?unit=</c>), so every line written meanwhile
/// can be found by them; and for a timer function its run as a <see cref="DanVanTelemetry.Events.TimerRun"/>
/// event with its outcome and duration (what the "timer has not succeeded" alerts read).
/// </summary>
public sealed class TelemetryMiddleware(DanVanTelemetry telemetry, ILogger<TelemetryMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        var data = context.BindingContext.BindingData;
        var scope = new Dictionary<string, object?>
        {
            ["InvocationId"] = context.InvocationId,
            ["Function"] = context.FunctionDefinition.Name,
            ["PeriodId"] = DanVanTelemetry.Text(data, "periodId"),
            ["UnitCode"] = DanVanTelemetry.Text(data, "unitCode") ?? DanVanTelemetry.Text(data, "unit"),
        };
        using var _ = logger.BeginScope(scope);
        if (!IsTimer(context))
        {
            await next(context);
            return;
        }

        // Elapsed time of the run itself, not the app's clock (which stands still in training and tests).
        var started = Stopwatch.GetTimestamp();
        var succeeded = false;
        try
        {
            await next(context);
            succeeded = true;
        }
        finally
        {
            telemetry.TimerRun(context.FunctionDefinition.Name, succeeded, Stopwatch.GetElapsedTime(started));
        }
    }

    private static bool IsTimer(FunctionContext context) =>
        context.FunctionDefinition.InputBindings.Values.Any(b => string.Equals(b.Type, "timerTrigger", StringComparison.OrdinalIgnoreCase));
}
