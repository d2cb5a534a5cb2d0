using System.Net;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.ApiClient;

namespace Social.Api.Tests.Deployment;

/// <summary>The standby failing: down, or no longer applying what it receives.</summary>
public sealed partial class ReplicaTests
{
    const string Synchronous = "SELECT count(*) FROM pg_stat_replication WHERE application_name = 'standby1' AND sync_state = 'sync'";

    [Fact]
    public async Task WithTheStandbyDownReadsAreServedByThePrimary()
    {
        ClusterTopology.Require(nameof(ReplicaTests));
        var userId = await RegisterIdAsync(cluster.AnyEntrance());
        var token = cluster.TokenFor(userId);
        var postId = await CreatePostAsync(cluster.AnyEntrance(), token, UniqueText("fallback"));
        string[] reads = [$"/posts/{postId}", "/posts/?limit=3", $"/users/{userId}", $"/users/{userId}/posts", "/users/me"];
        // Every instance holds pooled connections to the standby, which its going down breaks.
        foreach (var entrance in cluster.Entrances)
            foreach (var path in reads)
                Assert.Equal(HttpStatusCode.OK, (await entrance.SendAsync(Get(path, token))).StatusCode);

        await cluster.StandbyAsync(up: false);
        try
        {
            // No writes meanwhile: the primary acknowledges none without its synchronous standby.
            for (var round = 0; round < 3; round++)
                foreach (var entrance in cluster.Entrances)
                    foreach (var path in reads)
                    {
                        var answer = await entrance.SendAsync(Get(path, token));
                        Assert.True(answer.StatusCode == HttpStatusCode.OK, $"{path} through {entrance.BaseAddress}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
                    }
        }
        finally
        {
            await cluster.StandbyAsync(up: true);
            await Eventually.HoldsAsync(async () => await cluster.ScalarAsync<long>("primary", Synchronous) == 1, "the standby streams synchronously again", TimeSpan.FromSeconds(30));
        }

        // Back: written and read through it again.
        var after = await CreatePostAsync(cluster.AnyEntrance(), token, UniqueText("back"));
        Assert.Equal(HttpStatusCode.OK, (await cluster.AnyEntrance().SendAsync(Get($"/posts/{after}", token))).StatusCode);
    }

    /// <summary>
    /// synchronous_commit = remote_apply: a standby that receives the primary's WAL but does not
    /// apply it holds every commit back, so no client is told of a write a standby would not show.
    /// </summary>
    [Fact]
    public async Task AWriteIsAcknowledgedOnlyOnceTheStandbyHasAppliedIt()
    {
        ClusterTopology.Require(nameof(ReplicaTests));
        var token = cluster.TokenFor(await RegisterIdAsync(cluster.AnyEntrance()));
        var title = UniqueText("held");
        await using (var standby = await cluster.OpenAsync("standby"))
        await using (var pause = new Npgsql.NpgsqlCommand("SELECT pg_wal_replay_pause()", standby))
            await pause.ExecuteNonQueryAsync();
        Task<HttpResponseMessage> write;
        try
        {
            write = cluster.AnyEntrance().SendAsync(NewPost(token, title));
            // Committed on the primary, waiting for the standby to apply it.
            await Eventually.HoldsAsync(async () => await cluster.ScalarAsync<long>("primary",
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep' AND query LIKE 'INSERT INTO posts%'") == 1, "the INSERT waits for the standby");
            Assert.False(write.IsCompleted);
            Assert.Equal(0L, await cluster.ScalarAsync<long>("standby", $"SELECT count(*) FROM posts WHERE title = '{title}'"));
        }
        finally
        {
            await using var standby = await cluster.OpenAsync("standby");
            await using var resume = new Npgsql.NpgsqlCommand("SELECT pg_wal_replay_resume()", standby);
            await resume.ExecuteNonQueryAsync();
        }

        var created = await write;
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.JsonAsync())["id"]!.GetValue<int>();
        foreach (var entrance in cluster.Entrances)
            Assert.Equal(HttpStatusCode.OK, (await entrance.SendAsync(Get($"/posts/{id}", token))).StatusCode);
    }
}
