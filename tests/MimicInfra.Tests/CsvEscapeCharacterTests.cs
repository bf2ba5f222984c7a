namespace MimicInfra.Tests;

public class CsvEscapeCharacterTests
{
    /// <summary>
    /// The import's CSV tables set OpenCSVSerDe's escape character to U+0001 so backslashes survive; that holds
    /// only while no file contains it. Every file of the three demos is read to prove it.
    /// </summary>
    [Fact]
    public void NoDemoFileContainsTheRawTablesEscapeCharacter()
    {
        var data = Shared.Require("data");
        var files = Directory.EnumerateFiles(data, "*.csv*", SearchOption.AllDirectories).ToList();
        Assert.True(files.Count >= 60, $"{files.Count} files");
        var escape = (byte)MimicInfra.Aws.Data.LabImport.NoEscape[0];
        Assert.Equal(1, escape);
        foreach (var file in files)
        {
            using Stream raw = File.OpenRead(file);
            using var stream = file.EndsWith(".gz", StringComparison.Ordinal) ? new System.IO.Compression.GZipStream(raw, System.IO.Compression.CompressionMode.Decompress) : raw;
            var buffer = new byte[1 << 16];
            for (int n; (n = stream.Read(buffer, 0, buffer.Length)) > 0;)
                Assert.True(Array.IndexOf(buffer, escape, 0, n) < 0, $"{file} contains U+0001");
        }
    }
}
