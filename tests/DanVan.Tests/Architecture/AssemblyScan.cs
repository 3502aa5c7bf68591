using System.Reflection;
using System.Reflection.Emit;
using System.Text.RegularExpressions;

namespace DanVan.Tests.Architecture;

/// <summary>
/// What each type of an assembly uses, read from its metadata and its IL: base type, interfaces, fields, properties,
/// method signatures and locals, and every type, method and field token in a method body (calls, <c>newobj</c>,
/// <c>ldtoken</c>, casts...). No source is read, so a fully qualified name or a <c>global using</c> hides nothing.
/// </summary>
internal sealed partial class AssemblyScan
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    private readonly Assembly assembly;

    public AssemblyScan(Assembly assembly)
    {
        this.assembly = assembly;
        Types = assembly.GetTypes();
    }

    public IReadOnlyList<Type> Types { get; }

    /// <summary>One use: the type whose code uses it, the member whose body or signature holds it, and what is used.</summary>
    public sealed record Use(Type User, MemberInfo? In, Type? UsedType, MethodBase? Called);

    /// <summary>Every use by every type of the assembly (generic arguments, array elements and the like unfolded).</summary>
    public IEnumerable<Use> Uses() => Types.SelectMany(UsesOf);

    private IEnumerable<Use> UsesOf(Type type)
    {
        foreach (var t in Signature(type))
        {
            yield return new Use(type, null, t, null);
        }

        foreach (var member in type.GetMembers(Declared))
        {
            foreach (var use in UsesOf(type, member))
            {
                yield return use;
            }
        }
    }

    private static IEnumerable<Type> Signature(Type type) =>
        new[] { type.BaseType }.Concat(type.GetInterfaces()).OfType<Type>()
            .Concat(type.IsGenericTypeDefinition ? type.GetGenericArguments().SelectMany(a => a.GetGenericParameterConstraints()) : []);

    private IEnumerable<Use> UsesOf(Type type, MemberInfo member)
    {
        IEnumerable<Type> signature = member switch
        {
            FieldInfo f => [f.FieldType],
            PropertyInfo p => [p.PropertyType],
            EventInfo e => [e.EventHandlerType!],
            MethodInfo m => m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType),
            ConstructorInfo c => c.GetParameters().Select(p => p.ParameterType),
            _ => [],
        };
        foreach (var t in signature.Concat(member.GetCustomAttributesData().Select(a => a.AttributeType)))
        {
            yield return new Use(type, member, t, null);
        }

        if (member is not MethodBase method || method.GetMethodBody() is not { } body)
        {
            yield break;
        }

        foreach (var local in body.LocalVariables)
        {
            yield return new Use(type, method, local.LocalType, null);
        }

        foreach (var used in Tokens(method, body.GetILAsByteArray() ?? []))
        {
            yield return used switch
            {
                Type t => new Use(type, method, t, null),
                MethodBase m => new Use(type, method, m.DeclaringType, m),
                FieldInfo f => new Use(type, method, f.DeclaringType, null),
                _ => new Use(type, method, null, null),
            };
            if (used is FieldInfo field)
            {
                yield return new Use(type, method, field.FieldType, null);
            }

            if (used is MethodInfo { IsGenericMethod: true } generic)
            {
                foreach (var argument in generic.GetGenericArguments())
                {
                    yield return new Use(type, method, argument, null);
                }
            }
        }
    }

    /// <summary>The members and types a method body's IL names, read opcode by opcode.</summary>
    private IEnumerable<MemberInfo> Tokens(MethodBase method, byte[] il)
    {
        var module = method.Module;
        var typeArguments = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var at = 0;
        while (at < il.Length)
        {
            var value = il[at] == 0xFE ? (short)(0xFE00 | il[at + 1]) : il[at];
            at += il[at] == 0xFE ? 2 : 1;
            var op = OpCodesByValue[value];
            switch (op.OperandType)
            {
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineType or OperandType.InlineTok:
                    var token = BitConverter.ToInt32(il, at);
                    MemberInfo? member = null;
                    try
                    {
                        member = module.ResolveMember(token, typeArguments, methodArguments);
                    }
                    catch (ArgumentException)
                    {
                        // A token outside the generic context given (never seen in DanVan's code); nothing to follow.
                    }

                    if (member is not null)
                    {
                        yield return member;
                    }

                    at += 4;
                    break;
                case OperandType.InlineSwitch:
                    at += 4 + (4 * BitConverter.ToInt32(il, at));
                    break;
                default:
                    at += Size(op.OperandType);
                    break;
            }
        }
    }

    private static int Size(OperandType operand) => operand switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        _ => 4,
    };

    /// <summary>A type with its generic arguments, element types and the like, each of them on its own.</summary>
    public static IEnumerable<Type> Unfold(Type? type)
    {
        if (type is null || type.IsGenericParameter)
        {
            yield break;
        }

        if (type.HasElementType)
        {
            foreach (var t in Unfold(type.GetElementType()))
            {
                yield return t;
            }

            yield break;
        }

        yield return type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        if (type.IsGenericType && !type.IsGenericTypeDefinition)
        {
            foreach (var t in type.GetGenericArguments().SelectMany(Unfold))
            {
                yield return t;
            }
        }
    }

    /// <summary>
    /// The class a type's code belongs to: itself, the outermost type it is nested in (lambdas, iterators, async state
    /// machines), or for a <c>file</c> type the class its file is named after (<c>&lt;SubmissionStore&gt;F1A2B__Name</c>).
    /// </summary>
    public Type Owner(Type type)
    {
        while (type.DeclaringType is { } outer)
        {
            type = outer;
        }

        if (FileLocal().Match(type.Name) is { Success: true } file
            && Types.FirstOrDefault(t => t.Namespace == type.Namespace && t.Name == file.Groups["file"].Value && !t.IsNested) is { } named)
        {
            return named;
        }

        return type;
    }

    [GeneratedRegex(@"^<(?<file>[^>]+)>F[0-9A-F]+__")]
    private static partial Regex FileLocal();

    public bool IsOwn(Type type) => type.Assembly == assembly;
}
