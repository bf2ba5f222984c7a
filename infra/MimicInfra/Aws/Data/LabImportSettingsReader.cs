using MimicInfra.Import;
using MimicInfra.Lab;

namespace MimicInfra.Aws.Data;

/// <summary>The import's settings: athenaDmlTimeoutQuota.</summary>
public static class LabImportSettingsReader
{
    /// <summary>The DML query timeout (minutes) the stack asks for: null when unset (the import model chooses), 0 for no request.</summary>
    public static int? DmlTimeoutQuota(ConfigValues c)
    {
        if (!c.Has("athenaDmlTimeoutQuota")) return null;
        var minutes = c.Integer("athenaDmlTimeoutQuota", 0, ImportModel.MaxDmlTimeoutMinutes);
        if (minutes is > 0 and < ImportModel.DefaultDmlTimeoutMinutes)
            c.Problem("athenaDmlTimeoutQuota", $"{minutes} is below Athena's default of {ImportModel.DefaultDmlTimeoutMinutes} minutes; " +
                                               $"use {ImportModel.DefaultDmlTimeoutMinutes}-{ImportModel.MaxDmlTimeoutMinutes}, or 0 for no request.");
        return (int)minutes;
    }
}
