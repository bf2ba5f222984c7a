namespace MimicInfra.Lab;

/// <summary>The import's settings: athenaDmlTimeoutQuota.</summary>
public static partial class LabSettingsReader
{
    private static int? ReadDmlTimeoutQuota(ConfigValues c)
    {
        if (!c.Has("athenaDmlTimeoutQuota")) return null;
        var minutes = c.Integer("athenaDmlTimeoutQuota", 0, Import.ImportModel.MaxDmlTimeoutMinutes);
        if (minutes is > 0 and < Import.ImportModel.DefaultDmlTimeoutMinutes)
            c.Problem("athenaDmlTimeoutQuota", $"{minutes} is below Athena's default of {Import.ImportModel.DefaultDmlTimeoutMinutes} minutes; " +
                                               $"use {Import.ImportModel.DefaultDmlTimeoutMinutes}-{Import.ImportModel.MaxDmlTimeoutMinutes}, or 0 for no request.");
        return (int)minutes;
    }
}
