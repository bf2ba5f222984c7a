using MimicInfra.Check;

namespace MimicInfra.Tests;

/// <summary>The checker against a small schema written here, so its rules are proven without ../shared.</summary>
public class ProgramCheckerTests
{
    private const string Schema = """
        {
          "name": "aws", "version": "7.48.0",
          "provider": {"inputProperties": {"region": {"type": "string"}}, "properties": {}},
          "functions": {"aws:index/getCallerIdentity:getCallerIdentity": {"outputs": {"properties": {"accountId": {"type": "string"}}}}},
          "types": {
            "aws:athena/Conf:Conf": {"type": "object", "properties": {"cutoff": {"type": "integer"}, "engine": {"$ref": "#/types/aws:athena/Engine:Engine"}}, "required": ["cutoff"]},
            "aws:athena/Engine:Engine": {"type": "object", "properties": {"selected": {"type": "string"}}},
            "aws:s3/Acl:Acl": {"type": "string", "enum": [{"value": "private"}, {"value": "public-read"}]}
          },
          "resources": {
            "aws:s3/bucket:Bucket": {
              "inputProperties": {"bucketPrefix": {"type": "string"}, "forceDestroy": {"type": "boolean"}, "tags": {"type": "object", "additionalProperties": {"type": "string"}},
                                  "acl": {"$ref": "#/types/aws:s3/Acl:Acl"}},
              "properties": {"bucket": {"type": "string"}, "arn": {"type": "string"}}
            },
            "aws:athena/workgroup:Workgroup": {
              "inputProperties": {"name": {"type": "string"}, "configuration": {"$ref": "#/types/aws:athena/Conf:Conf"}, "outputs": {"type": "array", "items": {"type": "string"}}},
              "requiredInputs": ["configuration"],
              "properties": {"name": {"type": "string"}, "arn": {"type": "string"}}
            }
          }
        }
        """;

    private const string Good = """
        name: t
        variables:
          account:
            fn::invoke:
              function: aws:index/getCallerIdentity:getCallerIdentity
              arguments: {}
              options: {provider: "${prov}", version: 7.48.0}
        resources:
          prov:
            type: pulumi:providers:aws
            properties: {region: us-east-1}
            options: {version: 7.48.0}
          bucket:
            type: aws:s3/bucket:Bucket
            properties:
              bucketPrefix: lab-
              forceDestroy: true
              tags: {lab: x, owner: "${account.accountId}"}
            options: {provider: "${prov}", version: 7.48.0}
          wg:
            type: aws:athena/workgroup:Workgroup
            properties:
              name: lab-wg
              configuration: {cutoff: 10000000, engine: {selected: "Athena engine version 3"}}
              outputs: ["s3://${bucket.bucket}/results/"]
            options: {provider: "${prov}", version: 7.48.0, dependsOn: ["${bucket}"]}
        outputs:
          arn: ${wg.arn}
        """;

    private static CheckReport Check(string program) =>
        new ProgramChecker(new Dictionary<string, ProviderSchema> { ["aws"] = ProviderSchema.Parse(Schema) }).Check(program);

    [Fact]
    public void GoodProgramPasses()
    {
        var report = Check(Good);
        Assert.Empty(report.Problems);
        Assert.Equal(3, report.Resources);
        Assert.Equal(7, report.References);   // provider and dependsOn references count too
    }

    [Theory]
    [InlineData("type: aws:s3/bucket:Bucket", "type: aws:s3/Bucket:Bucket", "bucket: type 'aws:s3/Bucket:Bucket' is not a resource of aws 7.48.0; the canonical token is 'aws:s3/bucket:Bucket'")]
    [InlineData("forceDestroy: true", "forceDestroy: yes-please", "bucket.forceDestroy: string 'yes-please' is not assignable to boolean")]
    [InlineData("forceDestroy: true", "forceDestory: true", "bucket.forceDestory: 'forceDestory' is not an input of aws:s3/bucket:Bucket")]
    [InlineData("cutoff: 10000000", "cutoff: \"10000000\"", "wg.configuration.cutoff: string '10000000' is not assignable to integer")]
    [InlineData("cutoff: 10000000, ", "", "wg.configuration: missing required property 'cutoff' of Conf")]
    [InlineData("engine: {selected:", "engine: {chosen:", "wg.configuration.engine.chosen: 'chosen' is not a property of Engine")]
    [InlineData("${wg.arn}", "${wg.bucket}", "outputs.arn: ${wg.bucket}: 'bucket' is not an output of aws:athena/workgroup:Workgroup")]
    [InlineData("${wg.arn}", "${nothing.arn}", "outputs.arn: ${nothing.arn}: 'nothing' is no resource or variable of this program")]
    [InlineData("${account.accountId}", "${account.accountNumber}", "'accountNumber' is not an output of aws:index/getCallerIdentity:getCallerIdentity")]
    [InlineData("dependsOn: [\"${bucket}\"]", "dependsOn: [\"${ghost}\"]", "'ghost' is no resource or variable of this program")]
    [InlineData("options: {provider: \"${prov}\", version: 7.48.0}\n  wg", "options: {provider: \"${prov}\", version: 7.40.0}\n  wg", "bucket.options.version: must pin the aws plugin to 7.48.0 (found 7.40.0)")]
    [InlineData("name: lab-wg", "name: lab wg!", "wg.name: 'lab wg!' breaks the naming rule (Athena workgroup")]
    [InlineData("bucketPrefix: lab-", "bucketPrefix: Lab_Bucket-", "bucket.bucketPrefix: 'Lab_Bucket-' breaks the naming rule (S3 bucket prefix")]
    [InlineData("      name: lab-wg\n      configuration: {cutoff: 10000000, engine: {selected: \"Athena engine version 3\"}}\n", "      name: lab-wg\n", "wg: missing required input 'configuration' of aws:athena/workgroup:Workgroup")]
    [InlineData("tags: {lab: x,", "tags: {lab: 5,", "bucket.tags.lab: integer '5' is not assignable to string")]
    [InlineData("outputs: [\"s3://${bucket.bucket}/results/\"]", "outputs: \"s3://x/\"", "wg.outputs: string 's3://x/' is not assignable to array")]
    [InlineData("forceDestroy: true", "forceDestroy: true\n      acl: public-write", "bucket.acl: 'public-write' is not one of private, public-read")]
    [InlineData("tags: {lab: x,", "tags: {lab: 2027-06-30,", "bucket.tags.lab: timestamp '2027-06-30' is not assignable to string")]
    [InlineData("bucketPrefix: lab-", "bucketPrefix: \"${wg.name}\"", "dependency cycle")]
    [InlineData("forceDestroy: true", "forceDestroy: {fn::toJSON: {a: 1}}", "bucket.forceDestroy: a string is not assignable to boolean")]
    [InlineData("fn::invoke:", "fn::invokeIt:", "unknown built-in function 'fn::invokeIt'")]
    [InlineData("dependsOn: [\"${bucket}\"]}", "dependsOn: [\"${bucket}\"], customTimeouts: {create: 30}}", "wg.options.customTimeouts: each timeout must be a string such as \"30m\"")]
    [InlineData("dependsOn: [\"${bucket}\"]}", "dependsOn: [\"${bucket}\"], retainOnDelet: true}", "wg.options: unknown option 'retainOnDelet'")]
    [InlineData("\"s3://${bucket.bucket}/results/\"", "\"s3://${bucket.bucket/results/\"", "unterminated interpolation")]
    [InlineData("\"s3://${bucket.bucket}/results/\"", "\"s3://${bucket..bucket}/results/\"", "is not a property access")]
    public void EachBrokenRuleIsReported(string find, string replace, string expected)
    {
        Assert.Contains(find, Good);
        var problems = Check(Good.Replace(find, replace)).Problems.Select(p => p.ToString()).ToList();
        Assert.True(problems.Any(p => p.Contains(expected)), $"expected '{expected}' in:\n{string.Join("\n", problems)}");
    }

    [Fact]
    public void StringTimeoutsPass() =>
        Assert.Empty(Check(Good.Replace("dependsOn: [\"${bucket}\"]}", "dependsOn: [\"${bucket}\"], customTimeouts: {create: 30m, delete: \"1h30m\"}}")).Problems);

    [Fact]
    public void InterpolationReadsEscapesAndPaths()
    {
        var parsed = Interpolation.Parse("$${HOME} and ${a.b[0][\"c.d\"]}");
        var r = Assert.Single(parsed.References);
        Assert.Equal("a", r.Root);
        Assert.Equal(["b", "0", "c.d"], r.Path);
        Assert.False(parsed.IsSingleReference);
        Assert.True(Interpolation.Parse("${x.y}").IsSingleReference);
        Assert.Empty(Interpolation.Parse("cost $5 and $$ literal").References);
    }
}
