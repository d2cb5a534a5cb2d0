using Npgsql;
using Social.Api.Data;

namespace Social.Api.Tests.Infrastructure;

/// <summary>
/// One throw-away PostgreSQL cluster for the whole run, started with the service's own
/// private-cluster mechanism (as the postgres user when run as root). Each factory gets its own
/// database in it.
/// </summary>
public sealed class TestCluster : IAsyncLifetime
{
    readonly string _folder = Path.Combine(Path.GetTempPath(), $"social-tests-{Guid.NewGuid():N}");
    LocalPostgres? _cluster;

    public LocalPostgres Cluster => _cluster ?? throw new InvalidOperationException("The cluster is not started.");

    public ValueTask InitializeAsync()
    {
        _cluster = LocalPostgres.Start(_folder, durable: false, serverSettings: ["max_connections=300"]);
        return ValueTask.CompletedTask;
    }

    /// <summary>Creates an empty database and returns its name.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "test")
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 63)];
        await Cluster.CreateDatabaseAsync(name);
        return name;
    }

    public string ConnectionString(string database) => Cluster.ConnectionString(database);

    public async Task<NpgsqlConnection> OpenAsync(string database)
    {
        var connection = new NpgsqlConnection(ConnectionString(database));
        await connection.OpenAsync();
        return connection;
    }

    public ValueTask DisposeAsync()
    {
        _cluster?.Stop("immediate");
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // a leftover temp folder is harmless
        }
        return ValueTask.CompletedTask;
    }
}
