using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Social.Api.Data;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.Sql;

namespace Social.Api.Tests.Data;

/// <summary>
/// The writes of new posts and votes, committed together when they arrive together. Each test
/// holds the posts table locked (on a database of its own) so that writes queue up behind the two
/// batches in flight, then lets them through.
/// </summary>
public sealed class GroupCommitTests(TestEnvironment env)
{
    const string InsertPost = "INSERT INTO posts (title, content, published, owner_id) VALUES ($1, 'content', true, $2) RETURNING id";

    [Fact]
    public async Task WritesThatWaitTogetherAreCommittedInOneTransaction()
    {
        await using var api = await ApiFactory.CreateAsync(env.Cluster);
        var user = await api.CreateUserAsync();
        var writes = api.Services.GetRequiredService<GroupCommit>();

        var (inFlight, queued) = await QueueBehindLockAsync(api, writes, Enumerable.Range(0, 4).Select(i => NewPost($"queued {i}", user.Id)));

        var ids = new List<int>();
        foreach (var write in queued)
            ids.Add((int)(await write.WaitAsync(TimeSpan.FromSeconds(30))).Row![0]);
        await using var db = await api.OpenDatabaseAsync();
        var transactions = await RowsAsync(db, $"SELECT DISTINCT xmin::text FROM posts WHERE id IN ({string.Join(",", ids)})");
        Assert.Single(transactions);
        foreach (var write in inFlight)
            Assert.Equal(1, (await write.WaitAsync(TimeSpan.FromSeconds(30))).RecordsAffected);
    }

    [Fact]
    public async Task AWriteThatFailsFailsAloneAndTheOthersAreCommitted()
    {
        await using var api = await ApiFactory.CreateAsync(env.Cluster);
        var user = await api.CreateUserAsync();
        var writes = api.Services.GetRequiredService<GroupCommit>();
        const int NoSuchUser = int.MaxValue;

        var (_, queued) = await QueueBehindLockAsync(api, writes,
            [NewPost("before", user.Id), NewPost("orphan", NoSuchUser), NewPost("after", user.Id)]);

        var failure = await Assert.ThrowsAsync<PostgresException>(() => queued[1].WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, failure.SqlState);
        await using var db = await api.OpenDatabaseAsync();
        foreach (var (write, title) in new[] { (queued[0], "before"), (queued[2], "after") })
        {
            var id = (int)(await write.WaitAsync(TimeSpan.FromSeconds(30))).Row![0];
            Assert.Equal([title], await RowsAsync(db, $"SELECT title FROM posts WHERE id = {id}"));
        }
        Assert.Equal(0, await CountAsync(db, "SELECT count(*) FROM posts WHERE title = 'orphan'"));
    }

    /// <summary>
    /// A batch mixing statements that return a row with statements that do not: each write gets
    /// its own row and its own count. The writes must have shared one transaction, or the test
    /// would pass without the mixed batch it is about.
    /// </summary>
    [Fact]
    public async Task EachWriteOfAMixedBatchGetsItsOwnRowAndCount()
    {
        await using var api = await ApiFactory.CreateAsync(env.Cluster);
        var user = await api.CreateUserAsync();
        var postId = (await user.CreatePostAsync())["id"]!.GetValue<int>();
        var writes = api.Services.GetRequiredService<GroupCommit>();
        const string Vote = "INSERT INTO votes (user_id, post_id) VALUES ($1, $2)";
        const string NoSuchVote = "DELETE FROM votes WHERE user_id = $1 AND post_id = -$2";

        // One lock order for all three, so they run in this order: the row comes after a count.
        var (_, queued) = await QueueBehindLockAsync(api, writes,
            [new Write(Vote, 0, user.Id, postId), NewPost("mixed", user.Id), new Write(NoSuchVote, 0, user.Id, postId)]);

        var results = await Task.WhenAll(queued).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal((1, null), (results[0].RecordsAffected, results[0].Row));
        Assert.Equal(1, results[1].RecordsAffected);
        await using var db = await api.OpenDatabaseAsync();
        var newPostId = (int)results[1].Row![0];
        Assert.Equal(["mixed"], await RowsAsync(db, $"SELECT title FROM posts WHERE id = {newPostId}"));
        Assert.Equal((0, null), (results[2].RecordsAffected, results[2].Row));
        Assert.Single(await RowsAsync(db, $"""
            SELECT xmin::text FROM votes WHERE user_id = {user.Id} AND post_id = {postId}
            UNION SELECT xmin::text FROM posts WHERE id = {newPostId}
            """));
    }

    [Fact]
    public async Task WritesQueuedWhenTheServiceStopsAreStillCommitted()
    {
        await using var api = await ApiFactory.CreateAsync(env.Cluster);
        var user = await api.CreateUserAsync();
        var writes = api.Services.GetRequiredService<GroupCommit>();

        await using var locked = await LockedPosts.TakeAsync(api);
        var inFlight = await OccupyBothCommittersAsync(locked, writes);
        var queued = Enumerable.Range(0, 4).Select(i => writes.ExecuteAsync(NewPost($"stopping {i}", user.Id), CancellationToken.None)).ToList();
        var stopping = writes.StopAsync(CancellationToken.None);
        var afterStop = writes.ExecuteAsync(NewPost("stopping, after stop", user.Id), CancellationToken.None);
        await locked.ReleaseAsync();

        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
        foreach (var write in inFlight.Concat(queued).Append(afterStop))
            Assert.Equal(1, (await write.WaitAsync(TimeSpan.FromSeconds(30))).RecordsAffected);
        await using var db = await api.OpenDatabaseAsync();
        Assert.Equal(5, await CountAsync(db, "SELECT count(*) FROM posts WHERE title LIKE 'stopping%'"));
    }

    static Write NewPost(string title, int ownerId) => new(InsertPost, 0, title, ownerId) { Returning = true };

    /// <summary>
    /// Occupies both committers with a write each, blocked by the lock, then queues
    /// <paramref name="queued"/> behind them and releases the lock.
    /// </summary>
    static async Task<(Task<Written>[] InFlight, Task<Written>[] Queued)> QueueBehindLockAsync(
        ApiFactory api, GroupCommit writes, IEnumerable<Write> queued)
    {
        await using var locked = await LockedPosts.TakeAsync(api);
        var inFlight = await OccupyBothCommittersAsync(locked, writes);
        var waiting = queued.Select(write => writes.ExecuteAsync(write, CancellationToken.None)).ToArray();
        await locked.ReleaseAsync();
        return (inFlight, waiting);
    }

    /// <summary>Sends one write at a time until each committer holds one, waiting for the lock.</summary>
    static async Task<Task<Written>[]> OccupyBothCommittersAsync(LockedPosts locked, GroupCommit writes)
    {
        var inFlight = new List<Task<Written>>();
        for (var i = 1; i <= 2; i++)
        {
            inFlight.Add(writes.ExecuteAsync(new Write("INSERT INTO posts (title, content, owner_id) SELECT 'in flight', '', min(id) FROM users", 0), CancellationToken.None));
            await locked.UntilQueriesWaitAsync(i);
        }
        return [.. inFlight];
    }
}
