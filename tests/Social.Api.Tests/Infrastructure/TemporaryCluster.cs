using Npgsql;
using Social.Api.Data;

namespace Social.Api.Tests.Infrastructure;

/// <summary>A private PostgreSQL cluster in a temporary folder, removed afterwards.</summary>
public sealed class TemporaryCluster : IDisposable
{
    readonly bool _durable;
    readonly string[] _settings;

    public TemporaryCluster(string name, bool durable, params string[] serverSettings)
    {
        Folder = Path.Combine(Path.GetTempPath(), $"{name}-{Guid.NewGuid():N}");
        (_durable, _settings) = (durable, serverSettings);
        Postgres = Start();
    }

    public string Folder { get; }

    public LocalPostgres Postgres { get; private set; }

    /// <summary>Starts the server again after a stop or a crash (same folder, same port when free).</summary>
    public LocalPostgres Start() => Postgres = LocalPostgres.Start(Folder, _durable, _settings);

    public void Dispose()
    {
        try
        {
            Postgres.Stop("immediate");
        }
        catch (Social.Api.Infrastructure.InvalidConfigurationException)
        {
            // already stopped
        }
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // a leftover temp folder is harmless
        }
    }
}

public static class TestDatabases
{
    /// <summary>Creates an empty database with a unique name and returns the name.</summary>
    public static async Task<string> CreateUniqueDatabaseAsync(this LocalPostgres cluster, string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}";
        await cluster.CreateDatabaseAsync(name);
        return name;
    }

    public static async Task<NpgsqlConnection> OpenAsync(this LocalPostgres cluster, string database)
    {
        var connection = new NpgsqlConnection(cluster.ConnectionString(database));
        await connection.OpenAsync();
        return connection;
    }
}
