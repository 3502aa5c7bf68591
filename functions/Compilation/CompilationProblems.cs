using DanVan.Http;

namespace DanVan.Compilation;

public static class CompilationProblems
{
    public static ProblemException NoCompilation(string periodId) =>
        new(404, "no_compilation", "Chưa có bản tổng hợp", $"Kỳ báo cáo \"{periodId}\" chưa có bản tổng hợp nào. Hãy tạo bằng POST /api/periods/{periodId}/compilations.");
}
