using DanVan;
using DanVan.Http;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseMiddleware<DanVan.Telemetry.TelemetryMiddleware>();
builder.UseMiddleware<ProblemMiddleware>();
builder.UseMiddleware<UnitCodeMiddleware>();
builder.Services.AddDanVan(builder.Configuration);
builder.Build().Run();
