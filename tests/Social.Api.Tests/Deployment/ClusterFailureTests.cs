using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Social.Api.Tests.Infrastructure;
using Xunit.Sdk;
using Xunit.v3;
using static Social.Api.Tests.Infrastructure.ApiClient;

namespace Social.Api.Tests.Deployment;

/// <summary>
/// Issue 21's failure checks on the deploy/local/up topology (docs/scaling.md, "Failure checks"):
/// Redis killed, the primary stopped hard and restarted, an instance killed under load. They run
/// in this order on one topology; each mends what it breaks, except the last.
/// </summary>
[TestMethodOrderer(typeof(DeclarationOrder))]
[Collection(OneTopologyAtATime.Name)]
public sealed partial class ClusterFailureTests(ClusterTopology cluster, ITestOutputHelper output) : IClassFixture<ClusterTopology>
{
    const int LoginLimit = 20; // LOGIN_IP_LIMIT's default, which the topology's instances run with

    [Fact]
    public async Task WithRedisKilledClientsSeeNoChangeButPerInstanceLoginLimits()
    {
        ClusterTopology.Require(nameof(ClusterFailureTests));
        await ClusterTopology.KillAsync(cluster.Pid("REDIS"));

        // Reads and writes through nginx, spread over the three instances.
        var user = await CreateUserAsync(() => new HttpClient { BaseAddress = new Uri(cluster.Url) }, UniqueEmail("redis-down"));
        for (var i = 0; i < 6; i++)
        {
            var post = (await user.CreatePostAsync())["id"]!.GetValue<int>();
            Assert.Equal(HttpStatusCode.Created, (await user.VoteAsync(post, 1)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await user.Client.GetAsync($"/posts/{post}")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await user.Client.LoginAsync(user.Email)).StatusCode);
        }
        await AssertEveryInstanceAsync("/health/ready", HttpStatusCode.OK);

        // Each instance counts an address's failed logins for itself: up to three times the limit get through.
        var statuses = await FailedLoginsAsync("127.0.0.21", 3 * LoginLimit + 3);
        var forbidden = statuses.Count(status => status == HttpStatusCode.Forbidden);
        output.WriteLine($"Redis down: 26 reads and writes answered as usual, /health/ready 200 on the 3 instances; "
            + $"{statuses.Count} failed logins from one address, {forbidden} answered 403 and {statuses.Count - forbidden} 429");
        Assert.All(statuses, status => Assert.Contains(status, new[] { HttpStatusCode.Forbidden, HttpStatusCode.TooManyRequests }));
        Assert.InRange(forbidden, LoginLimit + 1, 3 * LoginLimit);

        // Started again (empty, as after a crash without persistence): the instances share their counts again.
        await cluster.RunAsync("redis-server \"$DIR/redis/redis.conf\"");
        // An instance says so at its first limit check once its client has reconnected in the background.
        using var poke = NginxProcess.ClientFrom("127.0.0.29", cluster.Url);
        await Eventually.HoldsAsync(async () =>
        {
            await poke.LoginAsync(UniqueEmail("nobody"), "wrong");
            return Enumerable.Range(1, 3).All(i => cluster.InstanceLog(i).Contains("Redis is reachable again", StringComparison.Ordinal));
        }, "every instance using Redis again", TimeSpan.FromSeconds(60));
        var shared = await FailedLoginsAsync("127.0.0.22", LoginLimit + 1, concurrency: 1);
        HttpStatusCode[] sharedLimit = [.. Enumerable.Repeat(HttpStatusCode.Forbidden, LoginLimit), HttpStatusCode.TooManyRequests];
        Assert.Equal(sharedLimit, shared);
        output.WriteLine($"Redis back: {LoginLimit} failed logins from one address answered 403, the next 429");
    }

    [Fact]
    public async Task WithThePrimaryStoppedHardEveryInstanceAnswers503AndWritesResumeOnceItIsBack()
    {
        ClusterTopology.Require(nameof(ClusterFailureTests));
        var user = await CreateUserAsync(() => new HttpClient { BaseAddress = new Uri(cluster.Url) }, UniqueEmail("primary-down"));
        var post = (await user.CreatePostAsync())["id"]!.GetValue<int>();

        await cluster.RunAsync("pg_stop \"$DIR/primary\" immediate");
        try
        {
            var (writes, reads, readsServed) = (0, 0, 0);
            foreach (var url in cluster.InstanceUrls.Append(cluster.Url))
            {
                // Past the connect and command timeouts (5 s and 15 s) a request would be a hang: the client gives up and the test fails.
                using var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(25) };
                client.DefaultRequestHeaders.Authorization = user.Client.DefaultRequestHeaders.Authorization;
                // What needs the primary: writes, and the reads that decide one (the password check).
                HttpResponseMessage[] needPrimary =
                [
                    await client.PostAsJsonAsync("/posts/", new { title = "while the primary is down", content = "c" }),
                    await client.PostAsJsonAsync("/vote/", new { post_id = post, dir = 1 }),
                    await client.LoginAsync(user.Email),
                    await client.RegisterAsync(UniqueEmail("primary-down")),
                ];
                foreach (var answer in needPrimary)
                    await AssertUnavailableAsync(answer);
                var ready = await client.GetAsync("/health/ready");
                Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
                Assert.NotNull(ready.Headers.RetryAfter);
                // Reads go to the standby; they need the primary too once the instance no longer hears
                // its announcements and checks each token's revocation there: 200 or 503, never a 500.
                foreach (var read in new[] { await client.GetAsync($"/posts/{post}"), await client.GetAsync("/posts/") })
                {
                    if (read.StatusCode == HttpStatusCode.OK)
                        readsServed++;
                    else
                        await AssertUnavailableAsync(read);
                    reads++;
                }
                writes += needPrimary.Length + 1;
            }
            output.WriteLine($"primary down: {writes} requests needing the primary to the three instances and nginx, all 503 with Retry-After; "
                + $"{reads} reads, {readsServed} answered 200 by the standby, the others 503");
        }
        finally
        {
            // The same primary started again (pg_ctl restart reuses the options it last ran with, postmaster.opts).
            await cluster.RunAsync("as_pg \"$PG_BIN/pg_ctl\" -D \"$DIR/primary/pgdata\" -l \"$DIR/primary/postgres.log\" -w -t 60 restart >/dev/null");
        }

        // The instances were not restarted: they take writes again within seconds.
        var recovery = new List<HttpStatusCode>();
        foreach (var url in cluster.InstanceUrls)
        {
            using var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(25) };
            client.DefaultRequestHeaders.Authorization = user.Client.DefaultRequestHeaders.Authorization;
            await Eventually.HoldsAsync(async () =>
            {
                recovery.Add((await client.PostAsJsonAsync("/posts/", new { title = "after the restart", content = "c" })).StatusCode);
                return recovery[^1] == HttpStatusCode.Created;
            }, $"{url} taking writes again", TimeSpan.FromSeconds(60));
        }
        output.WriteLine($"primary back: {recovery.Count} writes until each instance took one, {recovery.Count(s => s == HttpStatusCode.ServiceUnavailable)} of them 503");
        Assert.All(recovery, status => Assert.Contains(status, new[] { HttpStatusCode.Created, HttpStatusCode.ServiceUnavailable }));
        await AssertEveryInstanceAsync("/health/ready", HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, (await user.Client.GetAsync($"/posts/{post}")).StatusCode);
    }

    [Fact]
    public async Task AnInstanceKilledUnderLoadCostsNoIdempotentRequestAndNoAcknowledgedWrite()
    {
        ClusterTopology.Require(nameof(ClusterFailureTests));
        var users = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => CreateUserAsync(() => new HttpClient { BaseAddress = new Uri(cluster.Url) }, UniqueEmail("kill"))));
        var load = new RollingLoad();
        using var done = new CancellationTokenSource();
        var clients = users.Select(user => load.RunAsync(user, done.Token)).ToList();
        var killed = new Uri(cluster.InstanceUrls[0]).Authority;
        var logged = cluster.AccessLog.Count();

        await Eventually.HoldsAsync(() => load.Answered >= 60, "60 requests answered before the kill", TimeSpan.FromSeconds(60));
        await ClusterTopology.KillAsync(cluster.Pid("INSTANCE1"));
        var atKill = load.Sent;
        await Eventually.HoldsAsync(() => load.Answered >= atKill + 120, "120 requests answered after the kill", TimeSpan.FromSeconds(90));
        // After a failure nginx leaves the instance alone for fail_timeout (10 s), then tries it again
        // with the next request: refused, and sent to another instance.
        await Eventually.HoldsAsync(() => Retried().Any(), "a request nginx sent to another instance after the killed one", TimeSpan.FromSeconds(60));
        await done.CancelAsync();
        await Task.WhenAll(clients);

        var lines = AccessLines().ToList();
        var retried = Retried().ToList();
        output.WriteLine($"instance killed: {load.Sent} requests sent ({atKill} before the kill), {load.Failed.Count} failed "
            + $"({string.Join(", ", load.Failed.GroupBy(f => $"{f.What} {f.Status}").Select(g => $"{g.Count()} {g.Key}"))}), "
            + $"{retried.Count} retried by nginx on another instance ({retried.Count(line => line.Groups["request"].Value.StartsWith("GET", StringComparison.Ordinal))} GETs), "
            + $"{load.Acknowledged} acknowledged posts checked");

        // No GET failed: nginx sent those the dead instance did not answer to another one.
        Assert.DoesNotContain(load.Failed, failure => RollingLoad.Idempotent.Contains(failure.What));
        Assert.All(retried, line => Assert.StartsWith(killed + ", ", line.Groups["upstream"].Value, StringComparison.Ordinal));
        // A POST in flight at the kill may fail, with nginx's 502 for the dead instance, never a 500 from a live one.
        Assert.All(load.Failed, failure => Assert.Equal(502, failure.Status));
        Assert.All(lines.Where(line => line.Groups["status"].Value == "502"), line => Assert.Equal(killed, line.Groups["upstream"].Value.Split(", ")[^1]));
        Assert.DoesNotContain(lines, line => line.Groups["status"].Value.StartsWith('5') && line.Groups["status"].Value != "502");
        await load.AssertWritesPresentAsync(users);

        IEnumerable<Match> AccessLines() => cluster.AccessLog.Skip(logged).Select(line => AccessLine().Match(line)).Where(match => match.Success);
        IEnumerable<Match> Retried() => AccessLines().Where(line => line.Groups["upstream"].Value.Contains(',', StringComparison.Ordinal));
    }

    /// <summary><paramref name="count"/> wrong logins through nginx from <paramref name="address"/>, <paramref name="concurrency"/> at a time.</summary>
    async Task<List<HttpStatusCode>> FailedLoginsAsync(string address, int count, int concurrency = 3)
    {
        using var client = NginxProcess.ClientFrom(address, cluster.Url);
        var statuses = new List<HttpStatusCode>();
        for (var sent = 0; sent < count; sent += concurrency)
        {
            var answers = await Task.WhenAll(Enumerable.Range(0, Math.Min(concurrency, count - sent)).Select(_ => client.LoginAsync(UniqueEmail("nobody"), "wrong")));
            statuses.AddRange(answers.Select(answer => answer.StatusCode));
        }
        return statuses;
    }

    async Task AssertEveryInstanceAsync(string path, HttpStatusCode expected)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(25) };
        foreach (var url in cluster.InstanceUrls)
            Assert.True((await client.GetAsync(url + path)).StatusCode == expected, $"{url}{path} is not {(int)expected}");
    }

    [GeneratedRegex(@"^\S+ \[[0-9.]+\] ""(?<request>.*)"" (?<status>\d{3}) upstream=(?<upstream>.+?) upstream_status=.+$")]
    private static partial Regex AccessLine();

    /// <summary>Runs a class's tests in the order they are written in.</summary>
    public sealed class DeclarationOrder : ITestMethodOrderer
    {
        public IReadOnlyCollection<TTestMethod?> OrderTestMethods<TTestMethod>(IReadOnlyCollection<TTestMethod?> testMethods) where TTestMethod : notnull, ITestMethod =>
            [.. testMethods.OrderBy(testMethod => testMethod is IXunitTestMethod xunit ? xunit.MetadataToken : 0)];
    }
}
