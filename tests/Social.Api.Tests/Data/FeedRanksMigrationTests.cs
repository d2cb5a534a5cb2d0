using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Social.Api.Data;
using Social.Api.Tests.Infrastructure;
using Social.Api.Tests.Posts;
using static Social.Api.Tests.Infrastructure.Sql;

namespace Social.Api.Tests.Data;

/// <summary>The migration FeedRanks, rolled back and applied again on a database with posts, votes and posts without votes.</summary>
public sealed class FeedRanksMigrationTests(TestEnvironment env)
{
    const string Disagreements = """
        SELECT count(*) FROM posts p LEFT JOIN post_vote_counts c ON c.post_id = p.id
        WHERE c.post_id IS NULL OR c.created_at <> p.created_at OR c.hot <> social_hot(c.votes, p.created_at)
           OR c.votes <> (SELECT count(*) FROM votes v WHERE v.post_id = p.id)
        """;

    [Fact]
    public async Task RolledBackAndAppliedAgainEveryPostHasItsExactRow()
    {
        await using var api = await ApiFactory.CreateAsync(env.Cluster);
        var users = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => api.CreateUserAsync()));
        var voted = (await users[0].CreatePostAsync())["id"]!.GetValue<int>();
        await users[0].CreatePostAsync();
        await users[1].VoteAsync(voted, 1);
        await using var scope = api.Services.CreateAsyncScope();
        var migrator = scope.ServiceProvider.GetRequiredService<AppDbContext>().GetService<IMigrator>();
        await using var db = await api.OpenDatabaseAsync();
        Assert.Equal(0L, await CountAsync(db, Disagreements));

        await migrator.MigrateAsync("20261204165713_VoteCountTable", TestContext.Current.CancellationToken);
        Assert.Equal(["post_id", "votes"], await RowsAsync(db, "SELECT column_name FROM information_schema.columns WHERE table_name = 'post_vote_counts' ORDER BY 1"));
        Assert.Equal(["1"], await RowsAsync(db, "SELECT count(*) FROM post_vote_counts")); // as before: no row without votes
        Assert.Empty(await RowsAsync(db, "SELECT indexname FROM pg_indexes WHERE tablename = 'post_vote_counts' AND indexname LIKE 'ix_%'"));
        // Written while rolled back, as the earlier version writes: a post, and a vote on it.
        await ExecuteAsync(db, $"INSERT INTO posts (title, content, owner_id, created_at) VALUES ('old', 'c', {users[1].Id}, now() - interval '3 days')");
        await ExecuteAsync(db, $"INSERT INTO votes (user_id, post_id) SELECT {users[0].Id}, max(id) FROM posts");
        await migrator.MigrateAsync(cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(0L, await CountAsync(db, Disagreements));
        Assert.Equal(["4"], await RowsAsync(db, "SELECT count(*) FROM pg_indexes WHERE tablename = 'post_vote_counts'"));
        Assert.Equal(3, (await ListTests.ListAsync(users[0], "?sort=hot")).Count);
    }
}
