using DanVan.Domain;

namespace DanVan.Compilation;

public static class CompilationProblems
{
    public static DomainException NoCompilation(string periodId) =>
        RefusalCodes.NoCompilation.Because($"Kỳ báo cáo \"{periodId}\" chưa có bản tổng hợp nào. Hãy tạo bằng POST /api/periods/{periodId}/compilations.");
}
