namespace MimicInfra.Program;

/// <summary>
/// A named value of the program, a resource or a variable (a function's result), through which others reference its
/// outputs: <c>bucket.Out("arn")</c> renders <c>${dataBucket.arn}</c>. A handle comes from <see cref="ProgramBuilder"/>,
/// which refuses to build a program that references a handle it never added, so a resource that is renamed or left out
/// fails the build instead of a deploy.
/// </summary>
public sealed class Handle
{
    internal Handle(string logicalName) => LogicalName = logicalName;

    /// <summary>The logical name in the program (the key under `resources:` or `variables:`).</summary>
    public string LogicalName { get; }

    /// <summary>Whether anything took a reference to it.</summary>
    internal bool Referenced { get; private set; }

    /// <summary>Whether the builder holds the resource or variable it names.</summary>
    internal bool Added { get; set; }

    /// <summary>An output property, e.g. <c>${notebookRole.arn}</c>.</summary>
    public string Out(string property)
    {
        Referenced = true;
        return $"${{{LogicalName}.{property}}}";
    }

    /// <summary>The value itself, e.g. <c>${awsProvider}</c> (a provider) or a variable holding a whole value.</summary>
    public string Value
    {
        get
        {
            Referenced = true;
            return $"${{{LogicalName}}}";
        }
    }

    public string Arn => Out("arn");
    public string Id => Out("id");

    public override string ToString() => LogicalName;
}
