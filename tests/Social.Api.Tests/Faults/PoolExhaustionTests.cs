using System.Net;
using Npgsql;
using Social.Api.Tests.Infrastructure;

namespace Social.Api.Tests.Faults;

/// <summary>T42: with every pooled connection stuck, requests get a 503 in bounded time, and nothing leaks.</summary>
public sealed class PoolExhaustionTests(TestEnvironment env)
{
    [Fact]
    public async Task StuckConnectionsGive503AndThePoolRecoversWithoutLeaks()
    {
        await using var api = await ApiFactory.CreateAsync(env.Cluster, new Dictionary<string, string?>
        {
            ["DATABASE_POOL_SIZE"] = "2",
            ["DATABASE_CONNECT_TIMEOUT"] = "1",
            ["DATABASE_COMMAND_TIMEOUT"] = "2",
        });
        var user = await api.CreateUserAsync();
        user.Client.Timeout = TimeSpan.FromSeconds(20);

        await using (var db = await api.OpenDatabaseAsync())
        await using (var transaction = await db.BeginTransactionAsync())
        {
            await using (var lockPosts = new NpgsqlCommand("LOCK TABLE posts IN ACCESS EXCLUSIVE MODE", db, transaction))
                await lockPosts.ExecuteNonQueryAsync();

            var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => user.Client.GetAsync("/posts/")));

            Assert.All(responses, r => Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode));
            await transaction.RollbackAsync();
        }

        Assert.Equal(HttpStatusCode.OK, (await user.Client.GetAsync("/posts/")).StatusCode);
        await using var monitor = await api.OpenDatabaseAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'social-api'", monitor)
        {
            Parameters = { new() { Value = api.DatabaseName } },
        };
        Assert.InRange((long)(await count.ExecuteScalarAsync())!, 0, 2);
    }
}
