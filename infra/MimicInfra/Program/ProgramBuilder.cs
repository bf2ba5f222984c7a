namespace MimicInfra.Program;

/// <summary>Collects what the lab components add, in order, and refuses a logical name used twice.</summary>
public sealed class ProgramBuilder
{
    private readonly List<PulumiResource> _resources = [];
    private readonly YMap _variables = new();
    private readonly YMap _outputs = new();

    public void Add(PulumiResource resource)
    {
        if (_resources.Any(r => r.Name == resource.Name) || _variables.ContainsKey(resource.Name))
            throw new InvalidOperationException($"logical name '{resource.Name}' is used twice");
        _resources.Add(resource);
    }

    public void Variable(string name, object value) => _variables[name] = value;

    public void Output(string name, object value) => _outputs[name] = value;

    public PulumiProgram Build(string name, string description) => new(name, description, _variables, _resources, _outputs);
}
