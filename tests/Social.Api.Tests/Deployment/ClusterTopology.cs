using System.Globalization;
using Npgsql;
using Social.Api.Tests.Infrastructure;

namespace Social.Api.Tests.Deployment;

/// <summary>
/// deploy/local/up once for a test class (a primary, its synchronous standby, Redis, three
/// instances reading from the standby, nginx), deploy/local/down after it, whatever happened; and
/// the commands the tests break and mend it with. The instances inherit this process's environment,
/// which makes registrations cheap (bcrypt cost 4) and unthrottled for the tests that make many.
/// </summary>
public sealed class ClusterTopology : IAsyncLifetime
{
    static readonly Dictionary<string, string> Environment = new()
    {
        ["BCRYPT_COST"] = "4",
        ["REGISTER_IP_LIMIT"] = "100000/hour",
    };

    Dictionary<string, string> _topology = [];
    string _parent = "";
    readonly Random _random = new(21);

    public string Folder => Path.Combine(_parent, "cluster");

    /// <summary>nginx's address.</summary>
    public string Url => _topology["URL"];

    public string[] InstanceUrls => [.. _topology["INSTANCE_PORTS"].Split(',').Select(port => $"http://127.0.0.1:{port}")];

    public int Pid(string name) => int.Parse(_topology[$"{name}_PID"], CultureInfo.InvariantCulture);

    /// <summary>nginx first, then each instance directly.</summary>
    public IReadOnlyList<HttpClient> Entrances { get; private set; } = [];

    /// <summary>nginx or one of the instances, at random.</summary>
    public HttpClient AnyEntrance() => Entrances[_random.Next(Entrances.Count)];

    public int Next(int max) => _random.Next(max);

    /// <summary>A token for <paramref name="userId"/>, signed with the instances' shared secret.</summary>
    public string TokenFor(int userId) => TestTokens.ForUser(userId, key: _topology["SECRET_KEY"]);

    /// <summary>A connection of its own to the "primary" or the "standby" (as it was started; promoted or not), database social.</summary>
    public async Task<NpgsqlConnection> OpenAsync(string server)
    {
        var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={_topology[server == "primary" ? "PRIMARY_PORT" : "STANDBY_PORT"]};Username=postgres;Password={_topology["DATABASE_PASSWORD"]};Database=social;Pooling=false");
        await connection.OpenAsync();
        return connection;
    }

    public async Task<T> ScalarAsync<T>(string server, string sql)
    {
        await using var connection = await OpenAsync(server);
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync())!, typeof(T), CultureInfo.InvariantCulture);
    }

    public IEnumerable<string> AccessLog => File.ReadLines(Path.Combine(Folder, "nginx", "access.log"));

    public string InstanceLog(int instance) => File.ReadAllText(Path.Combine(Folder, $"instance{instance}.log"));

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(NginxProcess.Program) || !File.Exists(RedisProcess.Program))
            return;
        _parent = Directory.CreateTempSubdirectory("social-cluster-").FullName;
        // PostgreSQL runs as the postgres user when CI runs as root: it must reach the clusters' folders.
        File.SetUnixFileMode(_parent, (UnixFileMode)0b111_101_101);
        var (exitCode, output, error) = await ExternalProcess.RunAsync("bash",
            [Repository.PathOf("deploy", "local", "up"), "--dir", Folder, "--app", AppContext.BaseDirectory], Environment, TimeSpan.FromMinutes(4));
        Assert.True(exitCode == 0, $"deploy/local/up failed ({exitCode}):\n{output}\n{error}");
        _topology = File.ReadAllLines(Path.Combine(Folder, "topology.env")).Select(line => line.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
        Entrances = [new HttpClient { BaseAddress = new Uri(Url) }, .. InstanceUrls.Select(url => new HttpClient { BaseAddress = new Uri(url) })];
    }

    /// <summary>Skips the test where nginx or redis-server is missing (fails it in CI).</summary>
    public static void Require(string test)
    {
        NginxProcess.Require(test);
        RedisProcess.Require(test);
    }

    /// <summary>Runs <paramref name="script"/> with scripts/lib.sh's helpers and DIR set to the topology's folder; fails the test when it fails.</summary>
    public async Task RunAsync(string script)
    {
        var (exitCode, output, error) = await ExternalProcess.RunAsync("bash",
            ["-c", $"set -euo pipefail; cd \"$ROOT\"; source scripts/lib.sh; {script}"],
            new Dictionary<string, string> { ["ROOT"] = Repository.Root, ["DIR"] = Folder }, TimeSpan.FromMinutes(2));
        Assert.True(exitCode == 0, $"{script} failed ({exitCode}):\n{output}\n{error}");
    }

    /// <summary>Stops the standby (as an operator or a crash would), or starts it again, with the topology's own helpers.</summary>
    public Task StandbyAsync(bool up) =>
        RunAsync(up ? "pg_start \"$DIR/standby\" \"-c cluster_name=standby1 -c hot_standby=on\"" : "pg_stop \"$DIR/standby\" fast");

    /// <summary>SIGKILL, as a crash or the OOM killer would.</summary>
    public static async Task KillAsync(int pid)
    {
        using var kill = System.Diagnostics.Process.Start("kill", ["-KILL", pid.ToString(CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in Entrances)
            client.Dispose();
        if (_parent.Length == 0)
            return;
        if (Directory.Exists(Folder))
            await ExternalProcess.RunAsync("bash", [Repository.PathOf("deploy", "local", "down"), "--dir", Folder], timeout: TimeSpan.FromMinutes(2));
        Directory.Delete(_parent, recursive: true);
    }
}
