namespace MimicInfra.Program;

/// <summary>
/// Collects what the lab components add, in order. Refuses a logical name used twice, and on <see cref="Build"/> a
/// reference to a handle never added, a dependency on a resource that is not there, or a provider that is not.
/// </summary>
public sealed class ProgramBuilder
{
    private readonly List<PulumiResource> _resources = [];
    private readonly Dictionary<string, Handle> _handles = [];
    private readonly YMap _variables = new();
    private readonly YMap _outputs = new();
    private string? _component;

    /// <summary>
    /// Reserves a logical name for a resource added later, for when others must reference it first (a bucket policy
    /// naming a role created after it). The resource is added with <see cref="Add(Handle, string, YMap, ResourceOptions?)"/>.
    /// </summary>
    public Handle Declare(string logicalName)
    {
        if (_handles.ContainsKey(logicalName)) throw new InvalidOperationException($"logical name '{logicalName}' is used twice");
        return _handles[logicalName] = new Handle(logicalName);
    }

    /// <summary>Adds a resource; its handle (the one declared for the name, if any) references its outputs.</summary>
    public Handle Add(string logicalName, string type, YMap properties, ResourceOptions? options) =>
        Add(_handles.TryGetValue(logicalName, out var declared) && !declared.Added ? declared : Declare(logicalName), type, properties, options);

    /// <summary>Adds the resource of a declared handle.</summary>
    public Handle Add(Handle handle, string type, YMap properties, ResourceOptions? options)
    {
        if (!_handles.TryGetValue(handle.LogicalName, out var own) || !ReferenceEquals(own, handle))
            throw new InvalidOperationException($"handle '{handle.LogicalName}' was not declared by this program");
        if (handle.Added) throw new InvalidOperationException($"logical name '{handle.LogicalName}' is used twice");
        handle.Added = true;
        _resources.Add(new PulumiResource(handle.LogicalName, type, properties, options) { Component = _component });
        return handle;
    }

    /// <summary>Adds a resource built whole.</summary>
    public Handle Add(PulumiResource resource) => Add(resource.Name, resource.Type, resource.Properties, resource.Options);

    /// <summary>
    /// A variable (a function's result, usually); its handle references its fields. Two components that need the same
    /// function's result may both set it: it keeps its first place and handle.
    /// </summary>
    public Handle Variable(string name, object value) =>
        Variable(_handles.TryGetValue(name, out var declared) ? declared : Declare(name), value);

    /// <summary>Sets the variable of a declared handle.</summary>
    public Handle Variable(Handle handle, object value)
    {
        var name = handle.LogicalName;
        if (!_handles.TryGetValue(name, out var own) || !ReferenceEquals(own, handle))
            throw new InvalidOperationException($"handle '{name}' was not declared by this program");
        if (handle.Added && !_variables.ContainsKey(name)) throw new InvalidOperationException($"logical name '{name}' is used twice");
        handle.Added = true;
        _variables[name] = value;
        return handle;
    }

    public void Output(string name, object value) => _outputs[name] = value;

    /// <summary>
    /// Names the component the resources added until disposal belong to; tests count resources per component with it.
    /// Not part of the program's text.
    /// </summary>
    public IDisposable Component(string name)
    {
        var outer = _component;
        _component = name;
        return new Restore(() => _component = outer);
    }

    public PulumiProgram Build(string name, string description)
    {
        foreach (var handle in _handles.Values.Where(h => h.Referenced && !h.Added))
            throw new InvalidOperationException($"'{handle.LogicalName}' is referenced but was never added to the program");
        var names = _resources.Select(r => r.Name).ToHashSet();
        foreach (var r in _resources)
        {
            if (r.Options?.Provider is { } provider && !names.Contains(provider))
                throw new InvalidOperationException($"resource '{r.Name}' uses provider '{provider}', which is not in the program");
            foreach (var d in r.Options?.DependsOn ?? [])
                if (!names.Contains(d)) throw new InvalidOperationException($"resource '{r.Name}' depends on '{d}', which is not in the program");
        }
        return new(name, description, _variables, _resources, _outputs);
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }
}
