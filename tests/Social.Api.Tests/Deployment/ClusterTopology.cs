using System.Globalization;
using Social.Api.Tests.Infrastructure;

namespace Social.Api.Tests.Deployment;

/// <summary>
/// deploy/local/up once for a test class (a primary, its synchronous standby, Redis, three
/// instances, nginx), deploy/local/down after it, whatever happened; and the commands the tests
/// break and mend it with.
/// </summary>
public sealed class ClusterTopology : IAsyncLifetime
{
    Dictionary<string, string> _topology = [];
    string _parent = "";

    public string Folder => Path.Combine(_parent, "cluster");

    /// <summary>nginx's address.</summary>
    public string Url => _topology["URL"];

    public string[] InstanceUrls => [.. _topology["INSTANCE_PORTS"].Split(',').Select(port => $"http://127.0.0.1:{port}")];

    public int Pid(string name) => int.Parse(_topology[$"{name}_PID"], CultureInfo.InvariantCulture);

    /// <summary>A connection of its own to the server on topology.env's <paramref name="port"/> (PRIMARY_PORT, STANDBY_PORT), database social.</summary>
    public async Task<Npgsql.NpgsqlConnection> OpenDatabaseAsync(string port)
    {
        var connection = new Npgsql.NpgsqlConnection($"Host=127.0.0.1;Port={_topology[port]};Username=postgres;Password={_topology["DATABASE_PASSWORD"]};Database=social;Pooling=false");
        await connection.OpenAsync();
        return connection;
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
            [Repository.PathOf("deploy", "local", "up"), "--dir", Folder, "--app", AppContext.BaseDirectory], timeout: TimeSpan.FromMinutes(4));
        Assert.True(exitCode == 0, $"deploy/local/up failed ({exitCode}):\n{output}\n{error}");
        _topology = File.ReadAllLines(Path.Combine(Folder, "topology.env")).Select(line => line.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
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

    /// <summary>SIGKILL, as a crash or the OOM killer would.</summary>
    public static async Task KillAsync(int pid)
    {
        using var kill = System.Diagnostics.Process.Start("kill", ["-KILL", pid.ToString(CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    public async ValueTask DisposeAsync()
    {
        if (_parent.Length == 0)
            return;
        if (Directory.Exists(Folder))
            await ExternalProcess.RunAsync("bash", [Repository.PathOf("deploy", "local", "down"), "--dir", Folder], timeout: TimeSpan.FromMinutes(2));
        Directory.Delete(_parent, recursive: true);
    }
}
