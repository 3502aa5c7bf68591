namespace DanVan.TestHost;

public static class Program
{
    public static Task<int> Main(string[] args) => DevelopmentHost.RunAsync(args);
}
