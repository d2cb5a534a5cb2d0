using Npgsql;
using Social.Api.Tests.Infrastructure;

namespace Social.Api.Tests.Deployment;

/// <summary>
/// deploy/local/up, once for all of <see cref="ReplicaTests"/>: a primary, a synchronous hot
/// standby, Redis, three instances reading from the standby, nginx; deploy/local/down afterwards.
/// The instances inherit this process's environment, which makes registrations cheap (bcrypt cost
/// 4) and unthrottled for the thousand-pair run.
/// </summary>
public sealed class ReplicaTopology : IAsyncLifetime
{
    static readonly Dictionary<string, string> Environment = new()
    {
        ["BCRYPT_COST"] = "4",
        ["REGISTER_IP_LIMIT"] = "100000/hour",
    };

    readonly string _parent = Directory.CreateTempSubdirectory("social-replicas-").FullName;
    readonly Random _random = new(21);

    public string Folder => Path.Combine(_parent, "cluster");

    public Dictionary<string, string> Values { get; private set; } = [];

    /// <summary>nginx first, then each instance directly.</summary>
    public IReadOnlyList<HttpClient> Entrances { get; private set; } = [];

    public async ValueTask InitializeAsync()
    {
        NginxProcess.Require(nameof(ReplicaTests));
        ExternalProcess.Require([File.Exists("/usr/bin/redis-server") ? null : "Debian's redis-server package"], nameof(ReplicaTests));
        // PostgreSQL runs as the postgres user when CI runs as root: it must reach the clusters' folders.
        File.SetUnixFileMode(_parent, (UnixFileMode)0b111_101_101);
        var (exitCode, output, error) = await ExternalProcess.RunAsync("bash",
            [Repository.PathOf("deploy", "local", "up"), "--dir", Folder, "--app", AppContext.BaseDirectory], Environment, TimeSpan.FromMinutes(4));
        Assert.True(exitCode == 0, $"deploy/local/up failed ({exitCode}):\n{output}\n{error}");
        Values = File.ReadAllLines(Path.Combine(Folder, "topology.env")).Select(line => line.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
        Entrances = [new HttpClient { BaseAddress = new Uri(Values["URL"]) }, .. Values["INSTANCE_PORTS"].Split(',').Select(port => new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") })];
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in Entrances)
            client.Dispose();
        await ExternalProcess.RunAsync("bash", [Repository.PathOf("deploy", "local", "down"), "--dir", Folder], timeout: TimeSpan.FromMinutes(2));
        Directory.Delete(_parent, recursive: true);
    }

    /// <summary>nginx or one of the instances, at random.</summary>
    public HttpClient AnyEntrance() => Entrances[_random.Next(Entrances.Count)];

    public int Next(int max) => _random.Next(max);

    /// <summary>A token for <paramref name="userId"/>, signed with the instances' shared secret.</summary>
    public string TokenFor(int userId) => TestTokens.ForUser(userId, key: Values["SECRET_KEY"]);

    public async Task<NpgsqlConnection> OpenAsync(string server)
    {
        var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={Values[server == "primary" ? "PRIMARY_PORT" : "STANDBY_PORT"]};Username=postgres;Password={Values["DATABASE_PASSWORD"]};Database=social;Pooling=false");
        await connection.OpenAsync();
        return connection;
    }

    public async Task<T> ScalarAsync<T>(string server, string sql)
    {
        await using var connection = await OpenAsync(server);
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync())!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Stops the standby (as an operator or a crash would), or starts it again, with the topology's own helpers.</summary>
    public async Task StandbyAsync(bool up)
    {
        var step = up ? """pg_start "$1" "-c cluster_name=standby1 -c hot_standby=on" """ : """pg_stop "$1" fast""";
        var (exitCode, output, error) = await ExternalProcess.RunAsync("bash",
            ["-c", $"source \"$2\" && {step}", "standby", Path.Combine(Folder, "standby"), Repository.PathOf("scripts", "lib.sh")], timeout: TimeSpan.FromMinutes(1));
        Assert.True(exitCode == 0, $"standby {(up ? "start" : "stop")} failed:\n{output}\n{error}");
    }
}
