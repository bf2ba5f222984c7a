using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MimicInfra.Check;

public sealed record CheckProblem(string Where, string Message)
{
    public override string ToString() => $"{Where}: {Message}";
}

public sealed record CheckReport(int Resources, IReadOnlyDictionary<string, int> ResourcesByType, int References, IReadOnlyList<CheckProblem> Problems)
{
    public bool Ok => Problems.Count == 0;
}

/// <summary>
/// Checks a Pulumi YAML program against provider schemas, as Pulumi's YAML host would before deploying:
/// type tokens, input names and types (nested objects included), required inputs, `${res.prop}`
/// references to real outputs, pinned plugin versions, no dependency cycles, and the naming rules of the
/// services (lengths and characters) for names written as literals.
/// </summary>
public sealed partial class ProgramChecker(IReadOnlyDictionary<string, ProviderSchema> schemas)
{
    private static readonly HashSet<string> ResourceKeys = ["type", "name", "properties", "options", "get", "defaultProvider"];
    private static readonly HashSet<string> OptionKeys =
    [
        "parent", "dependsOn", "protect", "provider", "providers", "ignoreChanges", "retainOnDelete", "deleteBeforeReplace",
        "aliases", "customTimeouts", "version", "pluginDownloadURL", "import", "additionalSecretOutputs", "replaceOnChanges",
        "hideDiffs", "deletedWith", "replaceWith",
    ];
    private static readonly HashSet<string> PulumiBuiltins = ["stack", "project", "organization", "cwd", "rootDirectory"];

    /// <summary>Service naming rules for names given as literals: (type token, property, rule, what it means).</summary>
    private static readonly (string Type, string Property, Regex Rule, string Meaning)[] NameRules =
    [
        ("aws:glue/catalogDatabase:CatalogDatabase", "name", new("^[a-z0-9_]{1,255}$"), "Glue database: 1-255 lower-case letters, digits, _"),
        ("aws:glue/catalogTable:CatalogTable", "name", new("^[a-z0-9_]{1,255}$"), "Glue table: 1-255 lower-case letters, digits, _"),
        ("aws:athena/workgroup:Workgroup", "name", new("^[A-Za-z0-9._-]{1,128}$"), "Athena workgroup: 1-128 letters, digits, . _ -"),
        ("aws:s3/bucket:Bucket", "bucket", new("^(?!xn--)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"), "S3 bucket: 3-63 lower-case letters, digits, . -"),
        ("aws:s3/bucket:Bucket", "bucketPrefix", new("^[a-z0-9][a-z0-9.-]{0,36}$"), "S3 bucket prefix: 1-37 lower-case letters, digits, . - (S3 adds the rest)"),
        ("aws:s3/bucketObjectv2:BucketObjectv2", "key", new("^[A-Za-z0-9!_.*'()/-]{1,1024}$"), "S3 key: 1-1024 safe characters"),
        ("aws:kms/alias:Alias", "name", new("^alias/(?!aws/)[A-Za-z0-9/_-]{1,250}$"), "KMS alias: alias/ then 1-250 letters, digits, / _ -, not alias/aws/"),
        ("aws:iam/role:Role", "name", new(@"^[\w+=,.@-]{1,64}$"), "IAM role: 1-64 letters, digits, + = , . @ _ -"),
        ("aws:iam/rolePolicy:RolePolicy", "name", new(@"^[\w+=,.@-]{1,128}$"), "IAM policy: 1-128 letters, digits, + = , . @ _ -"),
        ("aws:sagemaker/notebookInstance:NotebookInstance", "name", new("^[A-Za-z0-9](-*[A-Za-z0-9]){0,62}$"), "SageMaker notebook: 1-63 letters, digits, -"),
        ("aws:sagemaker/notebookInstanceLifecycleConfiguration:NotebookInstanceLifecycleConfiguration", "name", new("^[A-Za-z0-9](-*[A-Za-z0-9]){0,62}$"), "SageMaker lifecycle config: 1-63 letters, digits, -"),
        ("aws:budgets/budget:Budget", "name", new(@"^[^:\\]{1,100}$"), "AWS budget: 1-100 characters, no : or \\"),
        ("aws:ec2/securityGroup:SecurityGroup", "name", new("^[A-Za-z0-9 ._:/()#,@\\[\\]+=&;{}!$*-]{1,255}$"), "security group: 1-255 allowed characters"),
        ("gcp:bigquery/dataset:Dataset", "datasetId", new("^[A-Za-z0-9_]{1,1024}$"), "BigQuery dataset: 1-1024 letters, digits, _"),
        ("gcp:bigquery/table:Table", "tableId", new("^[A-Za-z0-9_]{1,1024}$"), "BigQuery table: 1-1024 letters, digits, _"),
        ("gcp:serviceaccount/account:Account", "accountId", new("^[a-z]([-a-z0-9]{4,28}[a-z0-9])$"), "service account id: 6-30 lower-case letters, digits, -"),
        ("gcp:workbench/instance:Instance", "name", new("^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$"), "Workbench instance: 1-63 lower-case letters, digits, -"),
    ];

    private readonly List<CheckProblem> _problems = [];
    private readonly Dictionary<string, (string Type, ProviderSchema? Schema, JsonElement? Resource)> _resources = new(StringComparer.Ordinal);
    private readonly Dictionary<string, YamlNode> _variables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _edges = new(StringComparer.Ordinal);
    private int _references;

    public CheckReport Check(string programText)
    {
        _problems.Clear(); _resources.Clear(); _variables.Clear(); _edges.Clear(); _references = 0;
        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(programText));
            root = stream.Documents.Count == 1 && stream.Documents[0].RootNode is YamlMappingNode m ? m : throw new YamlException("the program is not one YAML mapping");
        }
        catch (YamlException e)
        {
            return new CheckReport(0, new Dictionary<string, int>(), 0, [new("program", $"not valid YAML: {e.Message}")]);
        }

        if (Child(root, "name") is not YamlScalarNode { Value.Length: > 0 }) Problem("program", "has no 'name'");
        var resources = Child(root, "resources") as YamlMappingNode;
        if (resources is null) Problem("program", "has no 'resources' mapping");
        if (Child(root, "variables") is YamlMappingNode vars)
            foreach (var (k, v) in vars.Children) _variables[Key(k)] = v;

        // First pass: every resource and its schema, so references can point forwards.
        foreach (var (k, v) in (IEnumerable<KeyValuePair<YamlNode, YamlNode>>?)resources?.Children ?? [])
        {
            var name = Key(k);
            if (name.Contains('.')) Problem(name, "a logical name with '.' cannot be referenced as ${name.prop}");
            if (v is not YamlMappingNode r || Child(r, "type") is not YamlScalarNode { Value: { } type })
            {
                Problem(name, "a resource needs a 'type'");
                continue;
            }
            var schema = schemas.GetValueOrDefault(PackageOf(type));
            var res = schema?.Resource(type);
            if (schema is null) Problem(name, $"type '{type}': no provider schema for package '{PackageOf(type)}'");
            else if (res is null) Problem(name, $"type '{type}' is not a resource of {schema.Name} {schema.Version}{Suggest(schema, type)}");
            _resources[name] = (type, schema, res);
        }

        foreach (var (k, v) in _variables)
            CheckExpression($"variables.{k}", v, null, owner: null);

        foreach (var (k, v) in (IEnumerable<KeyValuePair<YamlNode, YamlNode>>?)resources?.Children ?? [])
            if (v is YamlMappingNode r) CheckResource(Key(k), r);

        if (Child(root, "outputs") is YamlMappingNode outputs)
            foreach (var (k, v) in outputs.Children)
                CheckExpression($"outputs.{Key(k)}", v, null, owner: null);

        FindCycles();
        var byType = _resources.Values.GroupBy(r => r.Type).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());
        return new CheckReport(_resources.Count, byType, _references, [.. _problems]);
    }

    private void CheckResource(string name, YamlMappingNode node)
    {
        var (type, schema, res) = _resources[name];
        foreach (var (k, _) in node.Children)
            if (!ResourceKeys.Contains(Key(k))) Problem(name, $"unknown resource key '{Key(k)}'");

        var props = Child(node, "properties");
        if (res is { } resource)
        {
            var inputs = ProviderSchema.Inputs(resource).ToDictionary(x => x.Name, x => x.Schema);
            var given = new HashSet<string>();
            if (props is YamlMappingNode pm)
                foreach (var (pk, pv) in pm.Children)
                {
                    var prop = Key(pk);
                    given.Add(prop);
                    if (!inputs.TryGetValue(prop, out var propSchema))
                    {
                        Problem($"{name}.{prop}", $"'{prop}' is not an input of {type}{Nearest(prop, inputs.Keys)}");
                        CheckExpression($"{name}.{prop}", pv, null, name);
                        continue;
                    }
                    CheckExpression($"{name}.{prop}", pv, propSchema, name, schema);
                    CheckName(name, type, prop, pv);
                }
            else if (props is not null && props is not YamlScalarNode { Value: null or "" })
                Problem($"{name}.properties", "must be a mapping of inputs");
            foreach (var req in ProviderSchema.RequiredInputs(resource).Where(r => !given.Contains(r)))
                Problem(name, $"missing required input '{req}' of {type}");
        }

        var options = Child(node, "options") as YamlMappingNode;
        var isProvider = type.StartsWith("pulumi:providers:", StringComparison.Ordinal);
        foreach (var (ok, ov) in (IEnumerable<KeyValuePair<YamlNode, YamlNode>>?)options?.Children ?? [])
        {
            var opt = Key(ok);
            if (!OptionKeys.Contains(opt)) { Problem($"{name}.options", $"unknown option '{opt}'"); continue; }
            CheckExpression($"{name}.options.{opt}", ov, null, name);
            if (opt == "provider" && ov is YamlScalarNode ps)
            {
                var target = Interpolation.Parse(ps.Value ?? "").References.FirstOrDefault()?.Root;
                if (target is null || !_resources.TryGetValue(target, out var t) || t.Type != $"pulumi:providers:{PackageOf(type)}")
                    Problem($"{name}.options.provider", $"must be ${{<a pulumi:providers:{PackageOf(type)} resource>}}");
            }
            if (opt == "customTimeouts" && ov is YamlMappingNode ct)
                foreach (var (_, tv) in ct.Children)
                    if (tv is not YamlScalarNode ts || KindOf(ts) != "string" || !TimeoutText().IsMatch(ts.Value ?? ""))
                        Problem($"{name}.options.customTimeouts", "each timeout must be a string such as \"30m\"");
        }
        if (schema is not null)
        {
            var version = options is null ? null : (Child(options, "version") as YamlScalarNode)?.Value;
            if (version != schema.Version)
                Problem($"{name}.options.version", $"must pin the {schema.Name} plugin to {schema.Version} (found {version ?? "none"}); plugin discovery takes the first version it sees");
            if (!isProvider && options is not null && Child(options, "provider") is null && _resources.Values.Any(r => r.Type == $"pulumi:providers:{schema.Name}"))
                Problem($"{name}.options.provider", $"the program declares a {schema.Name} provider; use it (options.provider)");
        }
    }

    private void CheckName(string name, string type, string prop, YamlNode value)
    {
        if (value is not YamlScalarNode { Value: { } text } || Interpolation.Parse(text).References.Count > 0) return;
        foreach (var rule in NameRules.Where(r => r.Type == type && r.Property == prop))
            if (!rule.Rule.IsMatch(Interpolation.Unescape(text)))
                Problem($"{name}.{prop}", $"{Input.Shown.Quote(text)} breaks the naming rule ({rule.Meaning})");
    }

    /// <summary>Checks a value against a property schema (null: any value), and every reference in it.</summary>
    private void CheckExpression(string where, YamlNode node, JsonElement? expected, string? owner, ProviderSchema? schema = null)
    {
        switch (node)
        {
            case YamlMappingNode map when map.Children.Count == 1 && Key(map.Children.First().Key).StartsWith("fn::", StringComparison.Ordinal):
            {
                var result = CheckFunction(where, Key(map.Children.First().Key), map.Children.First().Value, owner);
                if (expected is { } e && result is "string" && !Accepts(e, "string", schema))
                    Problem(where, $"a {result} is not assignable to {Describe(e)}");
                return;
            }
            case YamlScalarNode scalar:
            {
                var kind = KindOf(scalar);
                if (kind == "string")
                {
                    var parsed = Interpolation.Parse(scalar.Value ?? "");
                    if (parsed.Error is not null) { Problem(where, parsed.Error); return; }
                    foreach (var r in parsed.References) CheckReference(where, r, owner);
                    if (parsed.IsSingleReference) return;   // keeps the referenced value's type
                }
                if (expected is { } e)
                {
                    if (!Accepts(e, kind, schema)) Problem(where, $"{kind} {Input.Shown.Quote(scalar.Value)} is not assignable to {Describe(e)}");
                    else if (kind == "string" && EnumValues(e, schema) is { } allowed && !allowed.Contains(scalar.Value ?? ""))
                        Problem(where, $"{Input.Shown.Quote(scalar.Value)} is not one of {string.Join(", ", allowed)}");
                }
                return;
            }
            case YamlSequenceNode seq:
            {
                var items = expected is { } e ? ItemsOf(e, schema, where) : (JsonElement?)null;
                var i = 0;
                foreach (var item in seq.Children) CheckExpression($"{where}[{i++}]", item, items, owner, schema);
                return;
            }
            case YamlMappingNode map:
            {
                if (expected is not { } e)
                {
                    foreach (var (k, v) in map.Children) CheckExpression($"{where}.{Key(k)}", v, null, owner);
                    return;
                }
                var shape = ObjectShapeOf(e, schema, where);
                if (shape is null) return;
                var (props, additional, required) = shape.Value;
                foreach (var (k, v) in map.Children)
                {
                    var key = Key(k);
                    if (props is not null && props.TryGetValue(key, out var ps)) CheckExpression($"{where}.{key}", v, ps, owner, schema);
                    else if (additional is { } a) CheckExpression($"{where}.{key}", v, a, owner, schema);
                    else if (props is null) CheckExpression($"{where}.{key}", v, null, owner, schema);
                    else Problem($"{where}.{key}", $"'{key}' is not a property of {Describe(e)}{Nearest(key, props.Keys)}");
                }
                foreach (var r in required.Where(r => map.Children.Keys.All(k => Key(k) != r)))
                    Problem(where, $"missing required property '{r}' of {Describe(e)}");
                return;
            }
        }
    }

    private string CheckFunction(string where, string fn, YamlNode arg, string? owner)
    {
        switch (fn)
        {
            case "fn::toJSON":
                CheckExpression(where, arg, null, owner);
                return "string";
            case "fn::toBase64" or "fn::fromBase64" or "fn::readFile" or "fn::sha1":
                CheckExpression(where, arg, null, owner);
                return "string";
            case "fn::join":
                if (arg is not YamlSequenceNode { Children.Count: 2 }) Problem(where, "fn::join takes [delimiter, list]");
                CheckExpression(where, arg, null, owner);
                return "string";
            case "fn::secret" or "fn::unsecret" or "fn::select" or "fn::split":
                CheckExpression(where, arg, null, owner);
                return "unknown";
            case "fn::stringAsset" or "fn::fileAsset" or "fn::remoteAsset" or "fn::fileArchive" or "fn::remoteArchive" or "fn::assetArchive":
                CheckExpression(where, arg, null, owner);
                return "asset";
            case "fn::invoke":
            {
                if (arg is not YamlMappingNode inv || Child(inv, "function") is not YamlScalarNode { Value: { } token })
                {
                    Problem(where, "fn::invoke needs a 'function' token");
                    return "unknown";
                }
                var schema = schemas.GetValueOrDefault(PackageOf(token));
                var f = schema?.Function(token);
                if (f is null) { Problem(where, $"function '{token}' is not in the {PackageOf(token)} schema"); return "unknown"; }
                if (Child(inv, "arguments") is YamlMappingNode args && f.Value.TryGetProperty("inputs", out var ins) && ins.TryGetProperty("properties", out var ip))
                    foreach (var (ak, av) in args.Children)
                    {
                        if (!ip.TryGetProperty(Key(ak), out var aps)) Problem($"{where}.arguments.{Key(ak)}", $"not an input of {token}");
                        else CheckExpression($"{where}.arguments.{Key(ak)}", av, aps, owner, schema);
                    }
                if (Child(inv, "options") is YamlMappingNode io)
                {
                    if ((Child(io, "version") as YamlScalarNode)?.Value != schema!.Version)
                        Problem($"{where}.options.version", $"must pin the {schema.Name} plugin to {schema.Version}");
                    CheckExpression($"{where}.options", io, null, owner);
                }
                return "object";
            }
            default:
                Problem(where, $"unknown built-in function '{fn}'");
                return "unknown";
        }
    }

    private void CheckReference(string where, Reference r, string? owner)
    {
        _references++;
        if (_resources.TryGetValue(r.Root, out var target))
        {
            if (owner is not null) Edge(owner, r.Root);
            if (r.Path.Count > 0 && target.Resource is { } res && !ProviderSchema.HasOutput(res, r.Path[0]))
                Problem(where, $"{r.Text}: '{r.Path[0]}' is not an output of {target.Type}");
            return;
        }
        if (_variables.TryGetValue(r.Root, out var variable))
        {
            if (owner is not null) Edge(owner, "variables." + r.Root);
            if (r.Path.Count > 0 && variable is YamlMappingNode vm && Child(vm, "fn::invoke") is YamlMappingNode inv
                && Child(inv, "function") is YamlScalarNode { Value: { } token }
                && schemas.GetValueOrDefault(PackageOf(token))?.Function(token) is { } f
                && (!f.TryGetProperty("outputs", out var outs) || !outs.GetProperty("properties").TryGetProperty(r.Path[0], out _)))
                Problem(where, $"{r.Text}: '{r.Path[0]}' is not an output of {token}");
            return;
        }
        if (r.Root.IndexOf(':') is > 0 and var colon)
        {
            // Stack config under a provider's namespace (`${aws:profile}`): Pulumi YAML exposes every config key.
            var (package, key) = (r.Root[..colon], r.Root[(colon + 1)..]);
            var config = schemas.GetValueOrDefault(package)?.Root is { } pkg && pkg.TryGetProperty("config", out var c) && c.TryGetProperty("variables", out var v) ? v : (System.Text.Json.JsonElement?)null;
            if (config is null || !config.Value.TryGetProperty(key, out _))
                Problem(where, $"{r.Text}: '{key}' is not a config key of the {package} provider");
            return;
        }
        if (r.Root == "pulumi")
        {
            if (r.Path.Count != 1 || !PulumiBuiltins.Contains(r.Path[0])) Problem(where, $"{r.Text}: the pulumi variable has {string.Join(", ", PulumiBuiltins)}");
            return;
        }
        Problem(where, $"{r.Text}: '{r.Root}' is no resource or variable of this program");
    }

    private void Edge(string from, string to)
    {
        if (!_edges.TryGetValue(from, out var set)) _edges[from] = set = [];
        set.Add(to);
    }

    private void FindCycles()
    {
        // Variables forward their own references to the resources that use them.
        foreach (var (name, node) in _variables)
            foreach (var r in References(node).Where(r => _resources.ContainsKey(r.Root)))
                Edge("variables." + name, r.Root);
        var state = new Dictionary<string, int>();
        foreach (var start in _edges.Keys.Order(StringComparer.Ordinal))
            Visit(start, [], state);
    }

    private void Visit(string node, List<string> path, Dictionary<string, int> state)
    {
        if (state.GetValueOrDefault(node) == 2) return;
        if (state.GetValueOrDefault(node) == 1)
        {
            Problem(node, $"dependency cycle: {string.Join(" -> ", path.SkipWhile(p => p != node).Append(node))}");
            return;
        }
        state[node] = 1;
        path.Add(node);
        foreach (var next in _edges.GetValueOrDefault(node) ?? []) Visit(next, path, state);
        path.RemoveAt(path.Count - 1);
        state[node] = 2;
    }

    private static IEnumerable<Reference> References(YamlNode node) => node switch
    {
        YamlScalarNode s when KindOf(s) == "string" => Interpolation.Parse(s.Value ?? "").References,
        YamlSequenceNode q => q.Children.SelectMany(References),
        YamlMappingNode m => m.Children.Values.SelectMany(References),
        _ => [],
    };

    // ---- schema helpers ----

    private JsonElement? Resolve(JsonElement e, ProviderSchema? schema)
    {
        if (!e.TryGetProperty("$ref", out var r)) return e;
        var reference = r.GetString()!;
        if (reference.StartsWith("#/types/", StringComparison.Ordinal))
            return schema?.Type(Uri.UnescapeDataString(reference["#/types/".Length..]));
        return null;   // pulumi.json#/Any, Asset, Archive, or a resource reference
    }

    private bool Accepts(JsonElement e, string kind, ProviderSchema? schema)
    {
        if (e.TryGetProperty("oneOf", out var one)) return one.EnumerateArray().Any(alt => Accepts(alt, kind, schema));
        if (e.TryGetProperty("$ref", out var r))
        {
            var reference = r.GetString()!;
            if (reference.EndsWith("#/Any", StringComparison.Ordinal)) return true;
            if (reference.EndsWith("#/Asset", StringComparison.Ordinal) || reference.EndsWith("#/Archive", StringComparison.Ordinal)) return kind == "asset";
            if (reference.StartsWith("#/resources/", StringComparison.Ordinal)) return kind == "string";
            var t = Resolve(e, schema);
            return t is { } type && Accepts(type, kind, schema);
        }
        var declared = e.TryGetProperty("type", out var ty) ? ty.GetString() : null;
        return (declared, kind) switch
        {
            ("string", "string") => true,
            ("integer", "integer") => true,
            ("number", "integer" or "number") => true,
            ("boolean", "boolean") => true,
            (null, _) => true,
            (_, "null") => true,
            _ => false,
        };
    }

    private IReadOnlyList<string>? EnumValues(JsonElement e, ProviderSchema? schema)
    {
        if (!e.TryGetProperty("$ref", out _) || Resolve(e, schema) is not { } t || !t.TryGetProperty("enum", out var en)) return null;
        return en.EnumerateArray().Select(v => v.TryGetProperty("value", out var x) ? x.ToString() : v.ToString()).ToList();
    }

    private JsonElement? ItemsOf(JsonElement e, ProviderSchema? schema, string where)
    {
        if (e.TryGetProperty("oneOf", out _)) return null;
        var t = Resolve(e, schema) ?? e;
        if (t.TryGetProperty("type", out var ty) && ty.GetString() == "array") return t.TryGetProperty("items", out var items) ? items : null;
        Problem(where, $"a list is not assignable to {Describe(e)}");
        return null;
    }

    private (Dictionary<string, JsonElement>? Props, JsonElement? Additional, IReadOnlyList<string> Required)? ObjectShapeOf(JsonElement e, ProviderSchema? schema, string where)
    {
        if (e.TryGetProperty("oneOf", out var one))
        {
            // Policy documents and similar unions: a mapping only fits an object alternative.
            foreach (var alt in one.EnumerateArray())
                if (Resolve(alt, schema) is { } t && t.TryGetProperty("properties", out _)) return ObjectShapeOf(alt, schema, where);
            Problem(where, $"an object is not assignable to {Describe(e)}");
            return null;
        }
        if (e.TryGetProperty("$ref", out var r) && r.GetString()!.EndsWith("#/Any", StringComparison.Ordinal)) return (null, null, []);
        var type = Resolve(e, schema);
        if (type is not { } ty) return (null, null, []);
        var declared = ty.TryGetProperty("type", out var d) ? d.GetString() : "object";
        if (declared != "object") { Problem(where, $"an object is not assignable to {Describe(e)}"); return null; }
        if (ty.TryGetProperty("additionalProperties", out var ap)) return (new Dictionary<string, JsonElement>(), ap, []);
        if (!ty.TryGetProperty("properties", out var props)) return (null, null, []);
        var required = ty.TryGetProperty("required", out var req) ? req.EnumerateArray().Select(x => x.GetString()!).ToList() : [];
        return (props.EnumerateObject().ToDictionary(p => p.Name, p => p.Value), null, required);
    }

    private static string Describe(JsonElement e)
    {
        if (e.TryGetProperty("$ref", out var r)) return r.GetString()!.Split('/').Last();
        if (e.TryGetProperty("oneOf", out var one)) return string.Join(" | ", one.EnumerateArray().Select(Describe));
        return e.TryGetProperty("type", out var t) ? t.GetString()! : "any";
    }

    /// <summary>The type a YAML reader gives a scalar: quoted is a string, plain is resolved.</summary>
    private static string KindOf(YamlScalarNode s)
    {
        if (s.Style is ScalarStyle.DoubleQuoted or ScalarStyle.SingleQuoted or ScalarStyle.Literal or ScalarStyle.Folded) return "string";
        var v = s.Value ?? "";
        if (v is "true" or "false" or "True" or "False" or "TRUE" or "FALSE") return "boolean";
        if (v is "" or "~" or "null" or "Null" or "NULL") return "null";
        if (IntegerText().IsMatch(v)) return "integer";
        if (TimestampText().IsMatch(v)) return "timestamp";   // yaml.v3 resolves plain dates to timestamps
        if (FloatText().IsMatch(v)) return "number";
        return "string";
    }

    private static string PackageOf(string token) => token.StartsWith("pulumi:providers:", StringComparison.Ordinal) ? token["pulumi:providers:".Length..] : token.Split(':')[0];

    private static string Suggest(ProviderSchema schema, string type) =>
        schema.ResourceTokens.FirstOrDefault(t => t.Equals(type, StringComparison.OrdinalIgnoreCase)) is { } near ? $"; the canonical token is '{near}'" : "";

    private static string Nearest(string name, IEnumerable<string> candidates) =>
        candidates.FirstOrDefault(c => c.Equals(name, StringComparison.OrdinalIgnoreCase)) is { } c2 ? $" (did you mean '{c2}'?)" : "";

    private static YamlNode? Child(YamlMappingNode m, string key) => m.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;

    private static string Key(YamlNode k) => (k as YamlScalarNode)?.Value ?? "";

    private void Problem(string where, string message) => _problems.Add(new CheckProblem(where, message));

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ].*)?$")]
    private static partial Regex TimestampText();

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntegerText();

    [GeneratedRegex(@"^[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$|^[-+]?[0-9]+[eE][-+]?[0-9]+$")]
    private static partial Regex FloatText();

    [GeneratedRegex(@"^[0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h)([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))*$")]
    private static partial Regex TimeoutText();
}
