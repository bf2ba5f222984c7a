using MimicInfra.Catalog;

namespace MimicInfra.Tests;

public class CsvProofTests
{
    [Fact]
    public void LossyValuesAreFoundAndNamed()
    {
        var table = new Table("t", null,
        [
            new Column("id", ColumnType.Integer, false, null),
            new Column("temp", ColumnType.Decimal(10, 4), true, null),
            new Column("day", ColumnType.Date, true, null),
            new Column("code", ColumnType.Varchar(3), true, null),
            new Column("at", ColumnType.Timestamp, true, null),
        ]);
        var path = Path.Combine(Path.GetTempPath(), $"proof-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, "id,temp,day,code,at\n1,98.6,2150-01-02,abc,2150-01-02 03:04:05\n1.5,98.12345,yesterday,abcd,\n99999999999,,,,2150-13-02 00:00:00\n");
        try
        {
            using var proof = new CsvProof();
            var result = proof.Check(path, table);
            Assert.Equal(3, result.Rows);
            Assert.Equal(
            [
                "line 3, column code (varchar(3)): value 'abcd' does not convert without loss",
                "line 3, column day (date): value 'yesterday' does not convert without loss",
                "line 3, column id (integer): value '1.5' does not convert without loss",
                "line 3, column temp (decimal(10,4)): value '98.12345' does not convert without loss",
                "line 4, column at (timestamp): value '2150-13-02 00:00:00' does not convert without loss",
                "line 4, column id (integer): value '99999999999' does not convert without loss",
            ], result.Failures);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
