using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.ApiClient;

namespace Social.Api.Tests.Deployment;

/// <summary>
/// deploy/rolling-restart, as an operator runs it: two instances behind Debian's nginx with the
/// repository's site, restarted one after the other while clients keep reading, posting and
/// voting through nginx. No request fails, every acknowledged write is there afterwards, and no
/// request reaches an instance between the moment it leaves the upstream and the moment it is
/// back, which the script does only once the new process's /health/ready answers 200.
/// </summary>
public sealed partial class RollingRestartTests(TestEnvironment env)
{
    const int Clients = 4;

    [Fact]
    public async Task BothInstancesRestartWithoutAFailedRequest()
    {
        NginxProcess.Require("the rolling restart check");
        var started = await ServiceProcess.StartOnNewDatabaseAsync(env, "rolling", new Dictionary<string, string> { ["TRUSTED_PROXIES"] = "127.0.0.1" });
        var variables = new Dictionary<string, string>
        {
            ["DATABASE_URL"] = $"postgresql://postgres:{env.Cluster.Password}@127.0.0.1:{env.Cluster.Port}/{started.Database}",
            ["SECRET_KEY"] = ApiFactory.SecretKey,
            ["BCRYPT_COST"] = "4",
            ["TRUSTED_PROXIES"] = "127.0.0.1",
        };
        var secondUrl = $"http://127.0.0.1:{ServiceProcess.FreePort()}";
        using var first = started.Service;
        using var second = ServiceProcess.Start(AppContext.BaseDirectory, variables, "--urls", secondUrl);
        await second.WaitUntilServingAsync(secondUrl + "/health/ready");
        string[] addresses = [new Uri(started.Url).Authority, new Uri(secondUrl).Authority];

        // HTTP/2 between the clients and nginx: at a reload nginx tells each client, with GOAWAY, which
        // requests it has not taken, and the client sends them again. Over HTTP/1.1 a request sent
        // on a keep-alive connection just as the reload closes it fails with a reset (docs/deploying.md).
        await using var nginx = await NginxProcess.StartAsync([.. addresses.Select(address => new Uri($"http://{address}").Port)], http2: true);
        var instances = Path.Combine(nginx.Folder, "instances");
        Directory.CreateDirectory(instances);
        await File.WriteAllTextAsync(Path.Combine(instances, $"{addresses[0]}.pid"), first.Id.ToString(CultureInfo.InvariantCulture));
        await File.WriteAllTextAsync(Path.Combine(instances, $"{addresses[1]}.pid"), second.Id.ToString(CultureInfo.InvariantCulture));
        try
        {
            var users = await Task.WhenAll(Enumerable.Range(0, Clients).Select(_ => CreateUserAsync(() => NginxProcess.Http2Client(nginx.Url), UniqueEmail("rolling"))));
            var load = new RollingLoad();
            using var done = new CancellationTokenSource();
            var clients = users.Select(user => load.RunAsync(user, done.Token)).ToList();

            var (exitCode, output) = await RollingRestartAsync(nginx, instances, variables, addresses);
            await done.CancelAsync();
            await Task.WhenAll(clients);
            Assert.True(exitCode == 0, $"deploy/rolling-restart failed ({exitCode}):\n{output}");

            Assert.True(!load.Failures.Any(), string.Join("\n", load.Failures));
            Assert.True(load.Answered > 0, "no request was answered");
            await load.AssertWritesPresentAsync(users);
            AssertNothingReachedAnInstanceWhileOut(output, addresses, [.. nginx.AccessLog]);
            // The new processes warmed up fully (their database had users to send requests as).
            foreach (var address in addresses)
            {
                var log = await File.ReadAllTextAsync(Path.Combine(instances, $"{address}.log"));
                Assert.Contains("Warmed up", log, StringComparison.Ordinal);
                Assert.DoesNotContain("Warm-up failed", log, StringComparison.Ordinal);
            }
        }
        finally
        {
            foreach (var pidFile in Directory.GetFiles(instances, "*.pid"))
                StopInstance(int.Parse(await File.ReadAllTextAsync(pidFile), CultureInfo.InvariantCulture));
        }
    }

    /// <summary>
    /// Runs the script with a restart command standing in for <c>systemctl restart</c>: SIGTERM to
    /// the instance, then the same build started again on the same address in the background.
    /// </summary>
    static async Task<(int ExitCode, string Output)> RollingRestartAsync(
        NginxProcess nginx, string instances, Dictionary<string, string> variables, string[] addresses)
    {
        var restart = $$"""
            pid=$(cat "{{instances}}/$1.pid")
            kill -TERM "$pid"
            while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
            setsid dotnet "{{Path.Combine(AppContext.BaseDirectory, "Social.Api.dll")}}" --urls "http://$1" > "{{instances}}/$1.log" 2>&1 < /dev/null &
            echo $! > "{{instances}}/$1.pid"
            """;
        string[] arguments = [Repository.PathOf("deploy", "rolling-restart"), "--site", nginx.Site, "--nginx", string.Join(' ', nginx.Command),
            "--pid-file", nginx.PidFile, "--ready-timeout", "60", "--restart", restart, .. addresses];
        var start = new ProcessStartInfo("bash", arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in variables)
            start.Environment[name] = value;
        using var script = Process.Start(start)!;
        var error = script.StandardError.ReadToEndAsync();
        var output = await script.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(100));
        try
        {
            await script.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            script.Kill(entireProcessTree: true);
            throw;
        }
        return (script.ExitCode, output + await error);
    }

    /// <summary>
    /// Between "ADDRESS out of the upstream" and "ADDRESS ready; back into the upstream" (the
    /// script's timestamps, on the clock nginx logs with), nginx answered nothing from that
    /// address; and no request anywhere needed a second instance (a refused connection would show
    /// as two upstreams in one line; a 503 from a half-started instance reaches the client, a failure of the load).
    /// </summary>
    static void AssertNothingReachedAnInstanceWhileOut(string output, string[] addresses, string[] accessLog)
    {
        var requests = accessLog.Select(line => AccessLine().Match(line)).Where(match => match.Success)
            .Select(match => (At: double.Parse(match.Groups["msec"].Value, CultureInfo.InvariantCulture), Upstream: match.Groups["upstream"].Value))
            .ToList();
        Assert.Equal(accessLog.Length, requests.Count);
        Assert.All(requests, request => Assert.DoesNotContain(",", request.Upstream, StringComparison.Ordinal));
        foreach (var address in addresses)
        {
            var outAt = EventTime(output, $"{address} out of the upstream");
            var backAt = EventTime(output, $"{address} ready; back into the upstream");
            Assert.DoesNotContain(requests, request => request.Upstream == address && request.At > outAt && request.At < backAt);
            // The clients kept going meanwhile, on the other instance.
            Assert.Contains(requests, request => request.Upstream != address && request.At > outAt && request.At < backAt);
        }
    }

    static double EventTime(string output, string suffix)
    {
        var line = output.Split('\n').Single(line => line.Contains(suffix, StringComparison.Ordinal));
        var at = DateTimeOffset.Parse(line.Split(' ')[0], CultureInfo.InvariantCulture);
        return at.ToUnixTimeMilliseconds() / 1000.0;
    }

    [GeneratedRegex(@"^\S+ \[(?<msec>[0-9.]+)\] "".*"" \d{3} upstream=(?<upstream>.+?) upstream_status=.+$")]
    private static partial Regex AccessLine();

    static void StopInstance(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill(entireProcessTree: true);
        }
        catch (ArgumentException)
        {
            // already gone
        }
    }
}
