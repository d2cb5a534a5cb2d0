using System.Net;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Social.Api.Data;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.ApiClient;
using static Social.Api.Tests.Infrastructure.Sql;

namespace Social.Api.Tests.Data;

/// <summary>
/// The warm-up runs before the instance reports ready (so a load balancer sends it traffic only
/// once warm), and never keeps it from serving.
/// </summary>
public sealed class WarmupTests(TestEnvironment env)
{
    [Fact]
    public async Task ReadinessWaitsForTheWarmUpAfterTheMigrations()
    {
        var state = new DatabaseState();
        state.MarkMigrated();
        // Never opened: readiness answers before it would send its SELECT 1.
        await using var database = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1");
        var check = new DatabaseHealthCheck(state, database);

        var result = await check.CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal("The instance is warming up.", result.Description);
    }

    [Fact]
    public async Task TheServiceWarmsUpAndComesUpReady()
    {
        // CreateAsync returns once /health/ready answers 200.
        await using var api = await ApiFactory.CreateAsync(env.Cluster);

        Assert.Contains(api.Logs.Lines, line => line.Contains("Warmed up", StringComparison.Ordinal));
        Assert.DoesNotContain(api.Logs.Lines, line => line.Contains("Warm-up failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AFailingWarmUpIsLoggedAndTheServiceServesAnyway()
    {
        // Not migrated, and told not to migrate: the warm-up's reads find no tables.
        await using var api = await ApiFactory.CreateAsync(env.Cluster, new Dictionary<string, string?> { ["MIGRATE_ON_STARTUP"] = "false" });

        Assert.Contains(api.Logs.Lines, line => line.StartsWith("Warning", StringComparison.Ordinal) && line.Contains("Warm-up failed; serving without it", StringComparison.Ordinal));
        var client = api.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task TheWarmUpWritesNothingUsesUpNoIdAndStaysOutOfTheAccessLog()
    {
        // A first instance makes the data the warm-up of a second one works with: a user, a post, a vote.
        var (first, url, database) = await ServiceProcess.StartOnNewDatabaseAsync(env, "warm");
        using (first)
        {
            var user = await CreateUserAsync(url);
            var post = await user.CreatePostAsync();
            Assert.Equal(HttpStatusCode.Created, (await user.VoteAsync(post["id"]!.GetValue<int>(), 1)).StatusCode);
        }
        await using var db = await env.Cluster.OpenAsync(database);
        const string everything = """
            SELECT (SELECT count(*) FROM users) || ' ' || (SELECT count(*) FROM posts) || ' ' || (SELECT count(*) FROM votes)
                || ' ' || (SELECT string_agg(post_id || ':' || votes, ',') FROM post_vote_counts)
                || ' ' || (SELECT last_value || ' ' || is_called FROM posts_id_seq)
            """;
        var before = await RowsAsync(db, everything);

        var secondUrl = $"http://127.0.0.1:{ServiceProcess.FreePort()}";
        using var second = ServiceProcess.Start(AppContext.BaseDirectory, new Dictionary<string, string>
        {
            ["DATABASE_URL"] = $"postgresql://postgres:{env.Cluster.Password}@127.0.0.1:{env.Cluster.Port}/{database}",
            ["SECRET_KEY"] = ApiFactory.SecretKey,
        }, "--urls", secondUrl);
        await second.WaitUntilServingAsync(secondUrl + "/health/ready");

        // Waves until one leaves the JIT nothing to compile: never just the first.
        var waves = System.Text.RegularExpressions.Regex.Match(second.Stdout, @"Warmed up \((\d+) waves");
        Assert.True(waves.Success && int.Parse(waves.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) >= 2, second.Stdout);
        Assert.DoesNotContain("Warm-up failed", second.Stdout, StringComparison.Ordinal);
        Assert.Equal(before, await RowsAsync(db, everything));
        // A client that sends the warm-up's header is logged all the same: only the process knows the value.
        using var client = new HttpClient { BaseAddress = new Uri(secondUrl) };
        client.DefaultRequestHeaders.Add("X-Social-Warm-Up", Guid.NewGuid().ToString("N"));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
        static string Route(System.Text.Json.JsonElement line) => line.GetProperty("State").GetProperty("Route").GetString()!;
        await Eventually.HoldsAsync(() => second.AccessLogLines().Any(line => Route(line) == "/"), "the client's request in the access log");
        // Hundreds of requests to itself before, none of them in the access log: only the readiness polls are.
        Assert.All(second.AccessLogLines(), line => Assert.Contains(Route(line), new[] { "/health/ready", "/" }));
    }
}
