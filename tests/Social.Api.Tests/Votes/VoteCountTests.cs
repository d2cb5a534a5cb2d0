using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Social.Api.Data;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.Sql;

namespace Social.Api.Tests.Votes;

/// <summary>
/// post_vote_counts is kept by a trigger: each count must equal the rows in votes whatever writes them —
/// this service under concurrency, or the original's plain INSERT/DELETE statements.
/// </summary>
public sealed class VoteCountTests(TestEnvironment env)
{
    const string Mismatches = """
        SELECT count(*) FROM posts p
        WHERE coalesce((SELECT votes FROM post_vote_counts c WHERE c.post_id = p.id), 0) <> (SELECT count(*) FROM votes v WHERE v.post_id = p.id)
        """;

    [Fact]
    public async Task CountsStayExactUnderConcurrentVotesUnvotesAndDeletes()
    {
        var voters = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => env.Api.CreateUserAsync()));
        var posts = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => voters[i].CreatePostAsync()));
        var postIds = posts.Select(p => p!["id"]!.GetValue<int>()).ToArray();

        var work = new List<Task>();
        for (var round = 0; round < 6; round++)
        {
            foreach (var voter in voters)
            {
                foreach (var postId in postIds)
                    work.Add(voter.VoteAsync(postId, round % 2 == 0 || voter.Id % 3 == 0 ? 1 : 0));
            }
        }
        work.Add(voters[3].Client.DeleteAsync($"/posts/{postIds[3]}"));
        await Task.WhenAll(work);

        await using var db = await env.Api.OpenDatabaseAsync();
        Assert.Equal(0L, await CountAsync(db, Mismatches));
        foreach (var postId in postIds.Take(3))
        {
            var read = await (await voters[0].Client.GetAsync($"/posts/{postId}")).JsonAsync();
            Assert.Equal(await CountAsync(db, $"SELECT count(*) FROM votes WHERE post_id = {postId}"), read["votes"]!.GetValue<long>());
        }
    }

    [Fact]
    public async Task TheOriginalsOwnVoteStatementsKeepTheCountsExactToo()
    {
        var users = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => env.Api.CreateUserAsync()));
        var postId = (await users[0].CreatePostAsync())["id"]!.GetValue<int>();
        await using var db = await env.Api.OpenDatabaseAsync();

        // SQLAlchemy's statements, as the original sends them after a switch back.
        foreach (var user in users)
            await ExecuteAsync(db, $"INSERT INTO votes (post_id, user_id) VALUES ({postId}, {user.Id})");
        await ExecuteAsync(db, $"DELETE FROM votes WHERE votes.post_id = {postId} AND votes.user_id = {users[0].Id}");

        var read = await (await users[1].Client.GetAsync($"/posts/{postId}")).JsonAsync();
        Assert.Equal(4, read["votes"]!.GetValue<int>());
        Assert.Equal(0L, await CountAsync(db, Mismatches));
    }

    /// <summary>
    /// The migration that moved the counts out of posts.vote_count, rolled back and applied again
    /// on a database with votes, some cast while it was rolled back: exact both ways.
    /// </summary>
    [Fact]
    public async Task MovingTheCountsOutOfPostsAndBackIsExact()
    {
        await using var api = await ApiFactory.CreateAsync(env.Cluster);
        var users = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => api.CreateUserAsync()));
        var postId = (await users[0].CreatePostAsync())["id"]!.GetValue<int>();
        foreach (var user in users.Take(2))
            await user.VoteAsync(postId, 1);
        await using var scope = api.Services.CreateAsyncScope();
        var migrator = scope.ServiceProvider.GetRequiredService<AppDbContext>().GetService<IMigrator>();
        await using var db = await api.OpenDatabaseAsync();

        await migrator.MigrateAsync("20261204140000_UserChangeNotifications", TestContext.Current.CancellationToken);
        Assert.Equal(2L, await CountAsync(db, $"SELECT vote_count::bigint FROM posts WHERE id = {postId}"));
        await ExecuteAsync(db, $"INSERT INTO votes (post_id, user_id) VALUES ({postId}, {users[2].Id})");
        await migrator.MigrateAsync(cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(0L, await CountAsync(db, Mismatches));
        var read = await (await users[1].Client.GetAsync($"/posts/{postId}")).JsonAsync();
        Assert.Equal(3, read["votes"]!.GetValue<int>());
        Assert.Equal(0L, await CountAsync(db, "SELECT count(*) FROM posts p LEFT JOIN post_vote_counts c ON c.post_id = p.id WHERE c.hot IS NULL"));
    }
}
