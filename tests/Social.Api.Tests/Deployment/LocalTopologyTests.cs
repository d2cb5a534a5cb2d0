using System.Net;
using Npgsql;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.ApiClient;

namespace Social.Api.Tests.Deployment;

/// <summary>
/// deploy/local/up and down, as a reader of docs/scaling.md runs them: a primary, a synchronous
/// hot standby, Redis, three instances and nginx on loopback, with one command each way; the
/// instances share their per-address limits through that Redis.
/// </summary>
[Collection(OneTopologyAtATime.Name)]
public sealed class LocalTopologyTests
{
    [Fact]
    public async Task UpStartsTheWholeTopologyAndDownStopsItAndRemovesItsFolder()
    {
        NginxProcess.Require(nameof(LocalTopologyTests));
        ExternalProcess.Require([File.Exists("/usr/bin/redis-server") ? null : "Debian's redis-server package"], nameof(LocalTopologyTests));
        var parent = Directory.CreateTempSubdirectory("social-topology-").FullName;
        // PostgreSQL runs as the postgres user when CI runs as root: it must reach the clusters' folders.
        File.SetUnixFileMode(parent, (UnixFileMode)0b111_101_101);
        var folder = Path.Combine(parent, "cluster");
        try
        {
            var (exitCode, output, error) = await ExternalProcess.RunAsync("bash",
                [Repository.PathOf("deploy", "local", "up"), "--dir", folder, "--app", AppContext.BaseDirectory], timeout: TimeSpan.FromMinutes(4));
            Assert.True(exitCode == 0, $"deploy/local/up failed ({exitCode}):\n{output}\n{error}");
            var topology = File.ReadAllLines(Path.Combine(folder, "topology.env")).Select(line => line.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);

            // A registration through nginx, acknowledged only once the standby has it.
            using var client = new HttpClient { BaseAddress = new Uri(topology["URL"]) };
            var email = UniqueEmail("topology");
            Assert.Equal(HttpStatusCode.Created, (await client.RegisterAsync(email)).StatusCode);
            await using (var standby = await OpenAsync(topology, "STANDBY_PORT"))
            {
                Assert.True(await ScalarAsync<bool>(standby, "SELECT pg_is_in_recovery()"));
                Assert.Equal(1L, await ScalarAsync<long>(standby, $"SELECT count(*) FROM users WHERE email = '{email}'"));
            }
            await using (var primary = await OpenAsync(topology, "PRIMARY_PORT"))
            {
                Assert.Equal("sync", await ScalarAsync<string>(primary, "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby1'"));
                Assert.Equal("standby1", await ScalarAsync<string>(primary, "SHOW synchronous_standby_names"));
            }
            // nginx spreads requests over the three instances.
            for (var i = 0; i < 6; i++)
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
            var instances = topology["INSTANCE_PORTS"].Split(',');
            Assert.Equal(3, instances.Length);
            var accessLog = await File.ReadAllTextAsync(Path.Combine(folder, "nginx", "access.log"));
            Assert.All(instances, port => Assert.Contains($"upstream=127.0.0.1:{port}", accessLog, StringComparison.Ordinal));

            // The instances count failed logins in Redis: the address's 20 (the default LOGIN_IP_LIMIT),
            // spread by nginx over three instances, make the 21st a 429, where each instance alone
            // would have let 20 through.
            for (var i = 0; i < 20; i++)
                Assert.Equal(HttpStatusCode.Forbidden, (await client.LoginAsync(UniqueEmail("nobody"), "wrong")).StatusCode);
            Assert.Equal(HttpStatusCode.TooManyRequests, (await client.LoginAsync(UniqueEmail("nobody"), "wrong")).StatusCode);

            var pids = topology.Where(kv => kv.Key.EndsWith("_PID", StringComparison.Ordinal)).Select(kv => int.Parse(kv.Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(5, pids.Count); // Redis, three instances, nginx
            var down = await ExternalProcess.RunAsync("bash", [Repository.PathOf("deploy", "local", "down"), "--dir", folder], timeout: TimeSpan.FromMinutes(2));
            Assert.True(down.ExitCode == 0, $"deploy/local/down failed ({down.ExitCode}):\n{down.Output}\n{down.Error}");
            Assert.False(Directory.Exists(folder));
            Assert.All(pids, pid => Assert.False(IsRunning(pid), $"process {pid} still runs"));
        }
        finally
        {
            if (Directory.Exists(folder))
                await ExternalProcess.RunAsync("bash", [Repository.PathOf("deploy", "local", "down"), "--dir", folder], timeout: TimeSpan.FromMinutes(2));
        }
    }

    static async Task<NpgsqlConnection> OpenAsync(Dictionary<string, string> topology, string port)
    {
        var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={topology[port]};Username=postgres;Password={topology["DATABASE_PASSWORD"]};Database=social");
        await connection.OpenAsync();
        return connection;
    }

    static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
