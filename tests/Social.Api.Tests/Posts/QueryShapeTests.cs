using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Social.Api.Posts;
using Social.Api.Tests.Infrastructure;

namespace Social.Api.Tests.Posts;

/// <summary>
/// The SQL behind the list. The page size travels as a literal, since a prepared <c>LIMIT $1</c>
/// gets a generic plan costed for a tenth of the table; the offset and the search text stay
/// parameters, so clients cannot mint a new statement per page or per search.
/// </summary>
public sealed class QueryShapeTests(TestEnvironment env)
{
    [Theory]
    [InlineData("", 0, 10, "ORDER BY p.id LIMIT 11", 0)]
    [InlineData("", 2, 3, "ORDER BY p.id LIMIT 4 OFFSET $1", 1)]
    [InlineData("needle", 0, 7, "WHERE strpos(p.title, $1) > 0 ORDER BY p.id LIMIT 8)", 1)]
    [InlineData("needle", 4, 7, "WHERE strpos(p.title, $1) > 0 ORDER BY p.id LIMIT 8 OFFSET $2)", 2)]
    [InlineData("", 5000, 10, "(SELECT p.id FROM posts AS p ORDER BY p.id LIMIT 11 OFFSET $1)", 1)]
    public async Task ThePageSizeIsALiteralAndTheOffsetAParameter(string search, int skip, int limit, string expected, int parameters)
    {
        var database = env.Api.Services.GetRequiredService<NpgsqlDataSource>();
        var request = new FeedPage(new FeedList(FeedSort.Id, TopWindow.All, search, null), skip, limit, null, null);
        await using var page = FeedSql.Page(database, request);
        var sql = page.CommandText.ReplaceLineEndings(" ");

        Assert.Contains(expected, sql, StringComparison.Ordinal);
        Assert.Equal(parameters, page.Parameters.Count);
        Assert.DoesNotContain($"OFFSET {skip}", sql, StringComparison.Ordinal);
        if (search.Length > 0)
        {
            Assert.DoesNotContain(search, sql, StringComparison.Ordinal);
            Assert.Contains(page.Parameters, parameter => Equals(parameter.Value, search));
        }
        // Searches and deep pages pick their ids first (from ix_posts_id_title); first pages do not.
        if (search.Length > 0 || skip >= 1000)
            Assert.Contains("WHERE p.id IN (", sql, StringComparison.Ordinal);
        else
            Assert.DoesNotContain("WHERE p.id IN (", sql, StringComparison.Ordinal);
        // And the statement runs, within the page size.
        Assert.InRange((await FeedSql.ReadAsync(database, request, TestContext.Current.CancellationToken)).Items.Count, 0, limit);
    }

    /// <summary>Sorted pages read the ranks' index on their key backwards (a window: its range of created_at), keyset after a cursor, the window as a fixed literal.</summary>
    [Theory]
    [InlineData(FeedSort.New, TopWindow.All, "ORDER BY c.created_at DESC, c.post_id DESC LIMIT 11", "(c.created_at, c.post_id) < ($1, $2)")]
    [InlineData(FeedSort.Top, TopWindow.Week, "ORDER BY c.votes + 0 DESC, c.post_id DESC LIMIT 11)", "c.created_at >= now() - interval '7 days'")]
    [InlineData(FeedSort.Hot, TopWindow.All, "ORDER BY c.hot DESC, c.post_id DESC LIMIT 11", "(c.hot, c.post_id) < ($1, $2)")]
    public async Task SortedPagesOrderByTheirKeyThenId(FeedSort sort, TopWindow window, string order, string condition)
    {
        var database = env.Api.Services.GetRequiredService<NpgsqlDataSource>();
        var request = new FeedPage(new FeedList(sort, window, "", null), 0, 10, new FeedKeys(0, int.MaxValue), null);
        await using var page = FeedSql.Page(database, request);
        var sql = page.CommandText.ReplaceLineEndings(" ");

        Assert.Contains(order, sql, StringComparison.Ordinal);
        Assert.Contains(condition, sql, StringComparison.Ordinal);
        Assert.InRange((await FeedSql.ReadAsync(database, request, TestContext.Current.CancellationToken)).Items.Count, 0, 10);
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
