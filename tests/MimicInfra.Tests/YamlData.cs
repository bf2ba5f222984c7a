namespace MimicInfra.Tests;

internal static class YamlData
{
    public static Dictionary<object, object> Map(this object? o) => Assert.IsType<Dictionary<object, object>>(o);

    public static List<object> List(this object? o) => Assert.IsType<List<object>>(o);

    public static object? At(this object? o, params object[] path)
    {
        foreach (var p in path)
            o = p is int i ? ((List<object>)o!)[i] : ((Dictionary<object, object>)o!).GetValueOrDefault(p);
        return o;
    }
}
