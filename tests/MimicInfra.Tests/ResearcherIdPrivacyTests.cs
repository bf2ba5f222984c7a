using MimicInfra.Lab;

namespace MimicInfra.Tests;

/// <summary>PII: a researcher id that is an e-mail address never reaches a name, tag, label or description.</summary>
public class ResearcherIdPrivacyTests
{
    [Fact]
    public void AnEmailResearcherIdAppearsInTheCloudOnlyAsAnOpaqueId()
    {
        const string email = "Jane.Doe+mimic@uni-example.edu";
        var config = Labs.Full31(("researcher", email), ("gcp", "true"), ("gcpProject", "my-lab-project"), ("gcpMembers", "[\"user:jane@uni-example.edu\"]"));
        var lab = LabSettingsReader.Read(config, Labs.Catalog);
        Assert.Matches("^r-[0-9a-f]{10}$", lab.ResearcherInCloud);
        Assert.Equal(lab.ResearcherInCloud, LabSettingsReader.Read(Labs.Full31(("researcher", email.ToUpperInvariant())), Labs.Catalog).ResearcherInCloud);   // stable, case-blind
        var program = new ParsedProgram(Labs.Compile(config));
        var texts = new List<string>();
        void Walk(object? o, string key)
        {
            switch (o)
            {
                case string s when key is "bucketPrefix" or "name" or "description" or "tags" or "labels" or "datasetId" or "friendlyName": texts.Add(s); break;
                case Dictionary<object, object> m: foreach (var (k, v) in m) Walk(v, key is "tags" or "labels" ? key : (string)k); break;
                case List<object> l: foreach (var v in l) Walk(v, key); break;
            }
        }
        foreach (var r in program.Resources) Walk(r.Props, "");
        Walk(program.Root["description"], "description");
        Assert.NotEmpty(texts);
        Assert.Contains(texts, t => t.Contains(lab.ResearcherInCloud, StringComparison.Ordinal));
        Assert.DoesNotContain(texts, t => t.Contains("jane", StringComparison.OrdinalIgnoreCase) || t.Contains("uni-example", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(lab.Names.DataBucketPrefix, "jane");
        // The stack's own id (not an address) stays as it is, so existing labs keep their names.
        Assert.Equal("jdoe", LabSettingsReader.Read(Labs.Full31(), Labs.Catalog).ResearcherInCloud);
    }
}
