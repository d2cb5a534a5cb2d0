using System.Net;
using System.Net.Http.Json;
using Npgsql;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.ApiClient;

namespace Social.Api.Tests.Faults;

/// <summary>
/// T40, T41: PostgreSQL down at start, crashing under a write load and coming back — on a durable
/// cluster of the test's own, which it stops and crashes itself.
/// </summary>
public sealed class DatabaseOutageTests : IDisposable
{
    readonly TemporaryCluster _cluster = new("social-faults", durable: true);

    public void Dispose() => _cluster.Dispose();

    [Fact]
    public async Task WithPostgresDownTheServiceStartsAnswers503AndRecoversByItself()
    {
        var database = await _cluster.Postgres.CreateUniqueDatabaseAsync("down");
        _cluster.Postgres.Stop();
        await using var api = await ApiFactory.CreateUnstartedAsync(_cluster.Postgres, new Dictionary<string, string?> { ["DATABASE_NAME"] = database });
        var client = api.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(15); // a hang would fail the test instead of stalling it

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/health/ready")).StatusCode);
        await AssertUnavailableAsync(await client.GetAsync("/users/1"));
        await AssertUnavailableAsync(await client.RegisterAsync(UniqueEmail()));

        _cluster.Start();
        await api.WaitUntilReadyAsync();

        var user = await api.CreateUserAsync();
        Assert.Equal(HttpStatusCode.Created, (await user.Client.PostAsJsonAsync("/posts/", new { title = "after the outage", content = "c" })).StatusCode);
    }

    [Fact]
    public async Task AnOutageAfterStartIsA503UntilPostgresReturns()
    {
        await using var api = await ApiFactory.CreateAsync(_cluster.Postgres);
        var user = await api.CreateUserAsync();
        var post = (await user.CreatePostAsync())["id"];

        _cluster.Postgres.Stop();
        await AssertUnavailableAsync(await user.Client.GetAsync("/posts/"));
        await AssertUnavailableAsync(await user.Client.GetAsync($"/posts/{post}"));
        await AssertUnavailableAsync(await api.CreateClient().LoginAsync(user.Email));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await api.CreateClient().GetAsync("/health/ready")).StatusCode);
        Assert.DoesNotContain(api.Logs.Lines, l => l.StartsWith("Error", StringComparison.Ordinal) && l.Contains("Request failed", StringComparison.Ordinal));

        _cluster.Start();
        await api.WaitUntilReadyAsync();
        Assert.Equal(HttpStatusCode.OK, (await user.Client.GetAsync("/posts/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await user.Client.GetAsync($"/posts/{post}")).StatusCode);
    }

    [Fact]
    public async Task ACrashUnderWriteLoadLosesNoAcknowledgedPost()
    {
        await using var api = await ApiFactory.CreateAsync(_cluster.Postgres);
        var user = await api.CreateUserAsync();
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<string>();
        var statuses = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(9));

        async Task WriteAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                var title = UniqueText("durable");
                var response = await user.Client.PostAsJsonAsync("/posts/", new { title, content = "c" });
                statuses.Add(response.StatusCode);
                if (response.StatusCode == HttpStatusCode.Created)
                    acknowledged.Add(title);
                else
                    await Task.Delay(50);
            }
        }

        var writers = Enumerable.Range(0, 4).Select(_ => Task.Run(WriteAsync)).ToList();
        await Task.Delay(TimeSpan.FromSeconds(2));
        var beforeCrash = acknowledged.Count;
        _cluster.Postgres.Stop("immediate");
        await Task.Delay(TimeSpan.FromSeconds(2));
        _cluster.Start();
        await Task.WhenAll(writers);

        Assert.True(beforeCrash > 0);
        Assert.Contains(HttpStatusCode.ServiceUnavailable, statuses);
        Assert.All(statuses, s => Assert.Contains(s, new[] { HttpStatusCode.Created, HttpStatusCode.ServiceUnavailable }));
        await using var db = await _cluster.Postgres.OpenAsync(api.DatabaseName);
        await using var command = new NpgsqlCommand("SELECT title FROM posts", db);
        var stored = new HashSet<string>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                stored.Add(reader.GetString(0));
        Assert.DoesNotContain(acknowledged, t => !stored.Contains(t));
        Assert.True(acknowledged.Count > beforeCrash, "writes resume after the restart");
    }

    [Fact]
    public async Task KilledBackendsAreReplacedAndAFrozenServerIsA503()
    {
        await using var api = await ApiFactory.CreateAsync(_cluster.Postgres, new Dictionary<string, string?>
        {
            ["DATABASE_CONNECT_TIMEOUT"] = "2",
            ["DATABASE_COMMAND_TIMEOUT"] = "2",
        });
        var user = await api.CreateUserAsync();
        user.Client.Timeout = TimeSpan.FromSeconds(20);
        var post = (await user.CreatePostAsync())["id"];
        Assert.Equal(HttpStatusCode.OK, (await user.Client.GetAsync("/posts/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await user.Client.GetAsync($"/posts/{post}")).StatusCode);

        await using (var db = await _cluster.Postgres.OpenAsync(api.DatabaseName))
        await using (var kill = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'social-api'", db))
            Assert.True((long)(await kill.ExecuteScalarAsync())! > 0);
        var afterKill = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => user.Client.GetAsync(i % 2 == 0 ? "/posts/" : $"/posts/{post}")));
        Assert.All(afterKill, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable }));
        Assert.Equal(HttpStatusCode.OK, (await user.Client.GetAsync("/posts/")).StatusCode);

        var processes = PostgresProcesses();
        Signal("STOP", processes);
        try
        {
            // Reads of pages and single posts time out: 503, never a hang or a 500.
            var frozen = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => user.Client.GetAsync(i % 2 == 0 ? $"/posts/?search={Guid.NewGuid():N}" : $"/posts/{post}")));
            foreach (var response in frozen)
                await AssertUnavailableAsync(response);
        }
        finally
        {
            Signal("CONT", processes);
        }
        await api.WaitUntilReadyAsync();
        await Eventually.HoldsAsync(() => Eventually.AnswersOkAsync(user.Client, "/posts/"), "the list recovered");
        await Eventually.HoldsAsync(() => Eventually.AnswersOkAsync(user.Client, $"/posts/{post}"), "the post recovered");
    }

    // The postmaster (first line of postmaster.pid) and its children: the whole server.
    string[] PostgresProcesses()
    {
        var postmaster = File.ReadLines(Path.Combine(_cluster.Postgres.DataDirectory, "postmaster.pid")).First().Trim();
        var children = Directory.GetDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(pid => pid!.All(char.IsAsciiDigit) && File.Exists($"/proc/{pid}/stat"))
            .Where(pid => ParentOf(pid!) == postmaster);
        return [postmaster, .. children!];
    }

    static string? ParentOf(string pid)
    {
        try
        {
            // /proc/<pid>/stat: "pid (name) state ppid ..."; the name may hold spaces, so read after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1];
        }
        catch (IOException)
        {
            return null;
        }
    }

    static void Signal(string signal, string[] pids)
    {
        using var kill = System.Diagnostics.Process.Start("kill", [$"-{signal}", .. pids]);
        kill.WaitForExit();
    }
}
