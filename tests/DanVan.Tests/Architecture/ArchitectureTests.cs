using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using Azure.Data.Tables;
using DanVan.Configuration;
using DanVan.Storage;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace DanVan.Tests.Architecture;

/// <summary>
/// The product's shape, read from the compiled DanVan.Functions assembly (<see cref="AssemblyScan"/>): its folders
/// (first namespace segment under <c>DanVan</c>) use each other without a cycle, each table is touched by its one owner
/// only, and no answer is an anonymous object.
/// </summary>
public sealed class ArchitectureTests(ITestOutputHelper output)
{
    private const string Root = "(root)";

    private static readonly Assembly Product = typeof(DanVanStore).Assembly;

    private static readonly AssemblyScan Scan = new(Product);

    [Fact]
    public void Folders_use_each_other_without_a_cycle()
    {
        var edges = FolderEdges();
        var graph = new StringBuilder();
        foreach (var from in edges.Keys.Order(StringComparer.Ordinal))
        {
            graph.AppendLine($"{from} -> {string.Join(", ", edges[from].Keys.Order(StringComparer.Ordinal))}");
        }

        var cycles = Cycles(edges);
        var report = new StringBuilder();
        foreach (var cycle in cycles)
        {
            var pairs = cycle.SelectMany(a => edges[a].Keys.Where(b => string.CompareOrdinal(a, b) < 0 && edges.TryGetValue(b, out var back) && back.ContainsKey(a)).Select(b => $"{a} <-> {b}"));
            report.AppendLine($"cycle among {string.Join(", ", cycle)} (each uses each other: {string.Join(", ", pairs)})");
            foreach (var from in cycle)
            {
                foreach (var (to, why) in edges[from].Where(e => cycle.Contains(e.Key)).OrderBy(e => e.Key, StringComparer.Ordinal))
                {
                    report.AppendLine($"  {from} -> {to}: {string.Join("; ", why.Order(StringComparer.Ordinal).Take(4))}{(why.Count > 4 ? $" (+{why.Count - 4})" : "")}");
                }
            }
        }

        output.WriteLine($"Folder graph of {Product.GetName().Name} ({edges.Count} folders):");
        output.WriteLine(graph.ToString());
        output.WriteLine(cycles.Count == 0 ? "No cycles." : report.ToString());
        Assert.True(cycles.Count == 0, $"Folder cycles:\n{report}\nGraph:\n{graph}");
    }

    [Fact]
    public void Each_table_has_one_owner_and_only_its_owner_reaches_it()
    {
        var names = new StorageNames(Options.Create(new DanVanOptions { StoragePrefix = "" }));
        var owners = Scan.Types
            .Where(t => t.IsClass && typeof(ITableOwner).IsAssignableFrom(t))
            .Select(t => (Owner: t, Table: (string)t.GetMethod(nameof(ITableOwner.TableName), BindingFlags.Public | BindingFlags.Static)!.Invoke(null, [names])!))
            .ToList();
        foreach (var (owner, name) in owners.OrderBy(o => o.Table, StringComparer.Ordinal))
        {
            output.WriteLine($"{name}: {owner.FullName}");
        }

        var shared = owners.GroupBy(o => o.Table).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(o => o.Owner.Name))}");
        Assert.Empty(shared);
        Assert.Equal(names.Tables.Concat(names.RetiredTables).Order(StringComparer.Ordinal), owners.Select(o => o.Table).Order(StringComparer.Ordinal));

        var table = typeof(DanVanStore).GetMethod(nameof(DanVanStore.Table))!;
        var reaches = Scan.Uses()
            .Where(u => u.Called is MethodInfo { IsGenericMethod: true } m && m.GetGenericMethodDefinition() == table)
            .Select(u => (User: Scan.Owner(u.User), Owner: ((MethodInfo)u.Called!).GetGenericArguments()[0], u.In))
            .ToList();
        // Every owner reaches its table this way (so the scan sees these calls), and nobody else does.
        Assert.Equal(owners.Select(o => o.Owner.FullName).Order(StringComparer.Ordinal), reaches.Where(u => u.User == u.Owner).Select(u => u.Owner.FullName).Distinct().Order(StringComparer.Ordinal));
        var strangers = reaches
            .Where(u => u.User != u.Owner)
            .Select(u => $"{u.User.FullName}.{u.In?.Name} reaches {u.Owner.Name}'s table")
            .Distinct()
            .ToList();
        Assert.True(strangers.Count == 0, string.Join("\n", strangers));

        // The only other way to a table is the SDK's own: DanVanStore (creating them, the health ping) and the backup,
        // which exports and restores every table as opaque rows by name.
        var byName = Scan.Uses()
            .Where(u => u.Called is { } m && (m.DeclaringType == typeof(TableServiceClient) && m.Name == nameof(TableServiceClient.GetTableClient)
                || m.DeclaringType == typeof(TableClient) && m.IsConstructor))
            .Select(u => Scan.Owner(u.User).FullName!)
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();
        output.WriteLine($"Tables by name: {string.Join(", ", byName)}");
        Assert.Equal(["DanVan.Backup.BackupService", "DanVan.Backup.RestoreService", "DanVan.Storage.DanVanStore"], byName);
        Assert.DoesNotContain(typeof(DanVanStore).GetMembers(), m => m is PropertyInfo { PropertyType: var p } && p == typeof(TableClient));
    }

    /// <summary>
    /// A store takes and returns records: its table's row type (an <see cref="ITableEntity"/> of DanVan) is used in its
    /// owner's folder only, never by the rest of the product.
    /// </summary>
    [Fact]
    public void Table_rows_stay_in_their_owners_folder()
    {
        var leaks = Scan.Uses()
            .SelectMany(u => AssemblyScan.Unfold(u.UsedType).Select(t => (User: Scan.Owner(u.User), Row: t)))
            .Where(u => Scan.IsOwn(u.Row) && typeof(ITableEntity).IsAssignableFrom(u.Row) && Folder(u.User) is { } f && f != Folder(u.Row))
            .Select(u => $"{u.Row.FullName} used by {u.User.FullName}")
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();
        foreach (var leak in leaks)
        {
            output.WriteLine(leak);
        }

        Assert.True(leaks.Count == 0, $"Table rows used outside their owner's folder:\n{string.Join("\n", leaks)}");
    }

    [Fact]
    public void No_answer_is_an_anonymous_object()
    {
        var anonymous = Scan.Uses()
            .Where(u => u.Called is ConstructorInfo { DeclaringType: { } t } && t.IsDefined(typeof(CompilerGeneratedAttribute)) && t.Name.Contains("AnonymousType", StringComparison.Ordinal))
            .Select(u => Scan.Owner(u.User))
            .Where(t => Folder(t) is "Functions" or "Http" or "Pages")
            .Select(t => t.FullName)
            .Distinct()
            .ToList();
        Assert.True(anonymous.Count == 0, $"Anonymous objects built in: {string.Join(", ", anonymous)}");
    }

    /// <summary>Folder to folder, with the uses that make each edge ("Type.Member uses Other").</summary>
    private static Dictionary<string, Dictionary<string, HashSet<string>>> FolderEdges()
    {
        var edges = new Dictionary<string, Dictionary<string, HashSet<string>>>(StringComparer.Ordinal);
        foreach (var use in Scan.Uses())
        {
            var user = Scan.Owner(use.User);
            if (Folder(user) is not { } from)
            {
                continue;
            }

            if (!edges.ContainsKey(from))
            {
                edges[from] = new(StringComparer.Ordinal);
            }

            foreach (var used in AssemblyScan.Unfold(use.UsedType).Where(Scan.IsOwn).Select(Scan.Owner))
            {
                if (Folder(used) is { } to && to != from)
                {
                    var why = edges[from].TryGetValue(to, out var set) ? set : edges[from][to] = [];
                    why.Add($"{user.Name}{(use.In is { } m ? "." + m.Name : "")} uses {used.Name}");
                }
            }
        }

        return edges;
    }

    /// <summary><c>DanVan.Uploads.X</c> is in Uploads, <c>DanVan.X</c> in the root; compiler-made types (no namespace) in none.</summary>
    private static string? Folder(Type type) => type.Namespace switch
    {
        "DanVan" => Root,
        { } ns when ns.StartsWith("DanVan.", StringComparison.Ordinal) => ns["DanVan.".Length..].Split('.')[0],
        _ => null,
    };

    /// <summary>The strongly connected components of more than one folder (Tarjan), each in name order.</summary>
    private static List<List<string>> Cycles(Dictionary<string, Dictionary<string, HashSet<string>>> edges)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var found = new List<List<string>>();
        void Visit(string v)
        {
            index[v] = low[v] = index.Count;
            stack.Push(v);
            foreach (var w in edges.TryGetValue(v, out var next) ? next.Keys.ToList() : [])
            {
                if (!index.ContainsKey(w))
                {
                    Visit(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (stack.Contains(w))
                {
                    low[v] = Math.Min(low[v], index[w]);
                }
            }

            if (low[v] == index[v])
            {
                var component = new List<string>();
                string w;
                do
                {
                    w = stack.Pop();
                    component.Add(w);
                }
                while (w != v);
                if (component.Count > 1)
                {
                    found.Add(component.Order(StringComparer.Ordinal).ToList());
                }
            }
        }

        foreach (var v in edges.Keys.Order(StringComparer.Ordinal))
        {
            if (!index.ContainsKey(v))
            {
                Visit(v);
            }
        }

        return found;
    }
}
