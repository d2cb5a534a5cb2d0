using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Social.Api.Data;
using Social.Api.Posts;
using Social.Api.Tests.Infrastructure;

namespace Social.Api.Tests.Posts;

/// <summary>
/// The SQL behind the hot reads. The page size travels as a literal: a prepared <c>LIMIT $1</c>
/// gets a generic plan costed for a tenth of the table (a hash join over every user), which halves
/// the throughput of the default page (see docs/benchmarks.md). The offset stays a parameter, so
/// clients cannot mint a new statement per page.
/// </summary>
public sealed class QueryShapeTests(TestEnvironment env)
{
    [Theory]
    [InlineData("", 0, 10, "LIMIT 10\n")]
    [InlineData("", 2, 3, "LIMIT 3 OFFSET @")]
    [InlineData("x", 0, 7, "LIMIT 7\n")]
    [InlineData("", 5000, 10, "LIMIT 10 OFFSET @")]
    public async Task ThePageSizeIsALiteralAndTheOffsetAParameter(string search, int skip, int limit, string expected)
    {
        await using var scope = env.Api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();

        var sql = PostEndpoints.Page(db, search, skip, limit).ToQueryString().ReplaceLineEndings("\n");

        Assert.Contains(expected, sql, StringComparison.Ordinal);
        Assert.DoesNotContain("LIMIT @", sql, StringComparison.Ordinal);
        Assert.DoesNotContain($"OFFSET {skip}", sql, StringComparison.Ordinal);
        // Search text stays a parameter, and searches pick their ids first (from ix_posts_id_title).
        if (search.Length > 0)
        {
            Assert.Contains("LIKE @", sql, StringComparison.Ordinal);
            Assert.Contains("WHERE p.id IN (", sql, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// A profile seen once is answered without the database: a row removed behind the service's
    /// back (triggers off, so no deletion notice) is still served. Real deletions are announced
    /// (see TokenHardeningTests); the service listens shortly after start, hence the retries.
    /// </summary>
    [Fact]
    public async Task PublicProfilesComeFromTheCacheThatServesTokenChecks()
    {
        var reader = await env.Api.CreateUserAsync();
        var served = HttpStatusCode.NotFound;
        for (var attempt = 0; attempt < 50 && served != HttpStatusCode.OK; attempt++)
        {
            var user = await env.Api.CreateUserAsync();
            Assert.Equal(HttpStatusCode.OK, (await reader.Client.GetAsync($"/users/{user.Id}")).StatusCode);
            await using (var db = await env.Api.OpenDatabaseAsync())
            {
                await using var silent = new NpgsqlCommand("SET session_replication_role = replica", db);
                await silent.ExecuteNonQueryAsync();
                await using var delete = new NpgsqlCommand("DELETE FROM users WHERE id = $1", db) { Parameters = { new() { Value = user.Id } } };
                Assert.Equal(1, await delete.ExecuteNonQueryAsync());
            }
            served = (await reader.Client.GetAsync($"/users/{user.Id}")).StatusCode;
            if (served != HttpStatusCode.OK)
                await Task.Delay(100);
        }
        Assert.Equal(HttpStatusCode.OK, served);
    }
}
