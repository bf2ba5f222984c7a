namespace MimicInfra.Aws.Network;

/// <summary>The lab's own VPC: one private subnet in one Availability Zone (null: the region's first available one).</summary>
public sealed record LabVpcSettings(string? AvailabilityZone);
