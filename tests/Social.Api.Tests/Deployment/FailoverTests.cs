using System.Diagnostics;
using System.Net;
using Npgsql;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.ApiClient;

namespace Social.Api.Tests.Deployment;

/// <summary>
/// Issue 21's failover check (docs/scaling.md, "Failover"): under a write load, the primary is
/// killed as a lost machine would be and the synchronous standby promoted. No acknowledged write
/// is lost, clients meet 503s with Retry-After meanwhile and never a 500, and the instances,
/// not restarted, find the new primary through their host list. Destructive (the old primary is
/// gone), so the class has its topology to itself.
/// </summary>
[Collection(OneTopologyAtATime.Name)]
public sealed class FailoverTests(ClusterTopology cluster, ITestOutputHelper output) : IClassFixture<ClusterTopology>
{
    [Fact]
    public async Task APrimaryKilledAndItsSynchronousStandbyPromotedLosesNoAcknowledgedWriteAndWritesResume()
    {
        ClusterTopology.Require(nameof(FailoverTests));
        // Two clients through nginx and one straight to each instance, so that each instance must find the new primary.
        string[] entrances = [cluster.Url, cluster.Url, .. cluster.InstanceUrls];
        var users = await Task.WhenAll(entrances.Select(url =>
            CreateUserAsync(() => new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(25) }, UniqueEmail("failover"))));
        var names = entrances.Select((url, i) => i < 2 ? $"nginx#{i + 1}" : $"instance{i - 1}").ToArray();
        var load = new FailoverLoad();
        using var done = new CancellationTokenSource();
        var clients = users.Select((user, i) => load.RunAsync(names[i], user, done.Token)).ToList();
        long killed = 0, promoted = 0;
        try
        {
            await Eventually.HoldsAsync(() => load.Posts.Count >= 50, "50 posts acknowledged before the kill", TimeSpan.FromSeconds(60));

            killed = Stopwatch.GetTimestamp();
            // The postmaster and every process of it at once, as a lost machine: nothing gets to finish.
            await cluster.RunAsync("""
                postmaster=$(head -1 "$DIR/primary/pgdata/postmaster.pid")
                kill -KILL "$postmaster" $(pgrep -P "$postmaster" || true)
                """);
            var killDone = Stopwatch.GetTimestamp();
            await cluster.RunAsync("""as_pg "$PG_BIN/pg_ctl" -D "$DIR/standby/pgdata" -w -t 60 promote >/dev/null""");
            promoted = Stopwatch.GetTimestamp();

            // Writes resume when every client, each instance directly included, has had a post acknowledged since the promotion.
            await Eventually.HoldsAsync(() => Task.FromResult(names.All(name => load.Attempts.Any(a => a.Client == name && a.What == "create" && a.Sent > promoted && a.Status == 201))),
                () => $"every client having a write acknowledged after the promotion; since then: "
                    + string.Join(", ", load.Attempts.Where(a => a.Sent > promoted).GroupBy(a => $"{a.Client} {a.What} {a.Status?.ToString() ?? a.Error}").Select(g => $"{g.Count()} {g.Key}")),
                TimeSpan.FromSeconds(60));
            await done.CancelAsync();
            await Task.WhenAll(clients);

            Report(load, killed, killDone, promoted);
            // Never a 500: every failure is the 503 with Retry-After and the generic body; a request
            // with no answer at all only if it was in flight at the kill.
            Assert.All(load.Attempts.Where(a => a.Status is not null), a => Assert.True(a.Status == (a.What == "read" ? 200 : 201) || a.Unavailable, $"{a.Client} {a.What}: {a.Status}"));
            Assert.All(load.Attempts.Where(a => a.Status is null), a => Assert.True(a.Sent <= killDone && a.Answered >= killed, $"{a.Client} {a.What}: {a.Error}"));
        }
        finally
        {
            await done.CancelAsync();
            await Task.WhenAll(clients);
        }

        // Every acknowledged write is on the promoted server, the only one left.
        await using (var promotedServer = await cluster.OpenAsync("standby"))
        {
            Assert.False(await ScalarAsync<bool>(promotedServer, "SELECT pg_is_in_recovery()"));
            var posts = await IdsAsync(promotedServer, "SELECT id FROM posts WHERE id = ANY($1)", [.. load.Posts.Select(w => w.PostId)]);
            Assert.Empty(load.Posts.Where(w => !posts.Contains(w.PostId)).Select(w => w.PostId));
            // A vote is its (user, post) pair.
            var votes = await IdsAsync(promotedServer, "SELECT post_id FROM votes JOIN unnest($1::int[], $2::int[]) AS acknowledged(post_id, user_id) USING (post_id, user_id)",
                [.. load.Votes.Select(w => w.PostId)], [.. load.Votes.Select(w => w.UserId)]);
            Assert.Empty(load.Votes.Where(w => !votes.Contains(w.PostId)).Select(w => w.PostId));
            output.WriteLine($"all {load.Posts.Count} acknowledged posts and {load.Votes.Count} acknowledged votes are on the promoted server "
                + $"(synchronous_standby_names there: '{await ScalarAsync<string>(promotedServer, "SHOW synchronous_standby_names")}')");
        }

        // The same instances, not restarted, are ready again and serve reads.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(25) };
        for (var i = 1; i <= cluster.InstanceUrls.Length; i++)
            Assert.True(Directory.Exists($"/proc/{cluster.Pid($"INSTANCE{i}")}"), $"instance {i} is no longer running");
        foreach (var url in cluster.InstanceUrls)
            await Eventually.HoldsAsync(() => Eventually.AnswersOkAsync(http, $"{url}/health/ready"), $"{url}/health/ready answering 200", TimeSpan.FromSeconds(60));
        var before = load.Posts.First(w => w.Acknowledged < killed);
        foreach (var user in users)
        {
            Assert.Equal(HttpStatusCode.OK, (await user.Client.GetAsync($"/posts/{before.PostId}")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await user.Client.GetAsync("/posts/?limit=5")).StatusCode);
        }
    }

    void Report(FailoverLoad load, long killed, long killDone, long promoted)
    {
        static double Seconds(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalSeconds;
        // The kill is somewhere between killed and killDone: what was answered before killDone was answered by the old primary.
        var writes = load.Attempts.Where(a => a.What != "read" && a.Sent >= killDone).ToList();
        var firstBack = writes.Where(a => a.Status == 201).MinBy(a => a.Answered);
        var allBack = load.Attempts.Where(a => a.Sent > promoted && a.Status == 201 && a.What == "create").GroupBy(a => a.Client).Max(g => g.Min(a => a.Answered));
        var refused = writes.Where(a => firstBack is null || a.Sent < firstBack.Answered).ToList();
        var reads = load.Attempts.Where(a => a.What == "read" && a.Sent >= killDone && (firstBack is null || a.Sent < firstBack.Answered)).ToList();
        output.WriteLine($"acknowledged before the kill: {load.Posts.Count(w => w.Acknowledged < killDone)} posts and {load.Votes.Count(w => w.Acknowledged < killDone)} votes; "
            + $"after it: {load.Posts.Count(w => w.Acknowledged >= killDone)} posts and {load.Votes.Count(w => w.Acknowledged >= killDone)} votes");
        output.WriteLine($"kill {Seconds(killed, killDone):F1} s, pg_ctl promote {Seconds(killDone, promoted):F1} s; until the first write acknowledged again: "
            + $"{refused.Count} write attempts, {refused.Count(a => a.Unavailable)} of them 503 with Retry-After, {refused.Count(a => a.Status is null)} without an answer, "
            + $"{Seconds(killDone, firstBack?.Answered ?? killDone):F1} s after the kill ({Seconds(promoted, firstBack?.Answered ?? promoted):F1} s after the promotion); "
            + $"{reads.Count} reads meanwhile, {reads.Count(a => a.Status == 200)} answered 200, {reads.Count(a => a.Unavailable)} 503; "
            + $"every client writing again {Seconds(promoted, allBack):F1} s after the promotion");
        output.WriteLine($"in all: {load.Attempts.Count} requests, {load.Attempts.Count(a => a.Unavailable)} answered 503 with Retry-After, "
            + $"{load.Attempts.Count(a => a.Status is not null && !a.Unavailable && a.Status != (a.What == "read" ? 200 : 201))} another failure status, "
            + $"{load.Attempts.Count(a => a.Status is null)} without an answer (in flight at the kill)");
    }

    static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    static async Task<HashSet<int>> IdsAsync(NpgsqlConnection connection, string sql, params int[][] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var values in parameters)
            command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = values });
        var found = new HashSet<int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            found.Add(reader.GetInt32(0));
        return found;
    }
}
