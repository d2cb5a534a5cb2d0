using System.Net;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Social.Api.Data;
using Social.Api.Tests.Infrastructure;

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
}
