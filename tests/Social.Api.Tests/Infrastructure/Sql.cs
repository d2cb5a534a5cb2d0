using System.Globalization;
using Npgsql;

namespace Social.Api.Tests.Infrastructure;

/// <summary>Plain SQL against a test database, for setting up and inspecting what the service cannot show.</summary>
public static class Sql
{
    public static async Task ExecuteAsync(NpgsqlConnection db, string sql, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, db);
        foreach (var parameter in parameters)
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Each row as its values joined by <c>" | "</c> (NULL spelled out), for comparing whole results.</summary>
    public static async Task<List<string>> RowsAsync(NpgsqlConnection db, string sql)
    {
        await using var command = new NpgsqlCommand(sql, db);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
            rows.Add(string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture))));
        return rows;
    }

    public static async Task<long> CountAsync(NpgsqlConnection db, string sql)
    {
        await using var command = new NpgsqlCommand(sql, db);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
