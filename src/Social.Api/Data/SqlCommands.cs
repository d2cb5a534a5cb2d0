using Npgsql;

namespace Social.Api.Data;

public static class SqlCommands
{
    /// <summary>
    /// A statement with positional parameters (<c>$1</c>, <c>$2</c>…) on the service's one pool,
    /// the same data source EF Core uses: the connection is leased while the command runs.
    /// </summary>
    public static NpgsqlCommand Command(this NpgsqlDataSource database, string sql, params ReadOnlySpan<object> values)
    {
        var command = database.CreateCommand(sql);
        foreach (var value in values)
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        return command;
    }
}
