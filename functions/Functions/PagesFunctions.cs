using DanVan.Http;
using DanVan.Pages;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace DanVan.Functions;

/// <summary>
/// The pages people use, and the API description. Anonymous: they hold no data; every data call the
/// pages make carries the credential the person pasted (kept in the URL fragment and the tab only).
/// </summary>
public sealed class PagesFunctions(PageFiles files)
{
    [Function(nameof(UploadPage))]
    public IActionResult UploadPage(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "upload")] HttpRequest request) =>
        PageResults.File(files.Get("upload.html"));

    [Function(nameof(DashboardPage))]
    public IActionResult DashboardPage(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "dashboard")] HttpRequest request) =>
        PageResults.File(files.Get("dashboard.html"));

    [Function(nameof(PageAsset))]
    public IActionResult PageAsset(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "pages/{file}")] HttpRequest request,
        string file) =>
        PageResults.File(files.FindAsset(file) ?? throw Problems.NotFound($"Không có tệp \"{file}\" trong giao diện."));

    [Function(nameof(OpenApiDocument))]
    public IActionResult OpenApiDocument(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi.json")] HttpRequest request) =>
        PageResults.File(files.Get("openapi.json"));
}
