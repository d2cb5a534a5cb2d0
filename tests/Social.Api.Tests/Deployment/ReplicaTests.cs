using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.ApiClient;

namespace Social.Api.Tests.Deployment;

/// <summary>
/// Read replicas on the topology of deploy/local/up: the instances list the primary and the
/// synchronous standby, read from the standby, write to the primary, and a client reads its own
/// writes whichever instance answers (docs/scaling.md).
/// </summary>
[Collection(OneTopologyAtATime.Name)]
public sealed partial class ReplicaTests(ClusterTopology cluster) : IClassFixture<ClusterTopology>
{
    const string PostScans = "SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM pg_stat_user_tables WHERE relname = 'posts'";
    const string PostInserts = "SELECT n_tup_ins FROM pg_stat_user_tables WHERE relname = 'posts'";
    const string Commits = "SELECT xact_commit FROM pg_stat_database WHERE datname = 'social'";

    [Fact]
    public async Task ReadsReachTheStandbyAndWritesOnlyThePrimary()
    {
        ClusterTopology.Require(nameof(ReplicaTests));
        const int Writes = 100, Reads = 300;
        var author = cluster.TokenFor(await RegisterIdAsync(cluster.AnyEntrance()));

        // Statistics reach the views within seconds (a backend reports them once idle): each phase
        // is measured once they have.
        var before = await StatisticsAsync();
        var postIds = new List<int>();
        for (var i = 0; i < Writes; i++)
            postIds.Add(await CreatePostAsync(cluster.AnyEntrance(), author, UniqueText("stats")));
        var written = await SettledAsync(now => now.PrimaryInserts - before.PrimaryInserts >= Writes, before, "the primary's inserts");
        // A standby replays the primary's writes without counting them as its own: none reached it.
        Assert.Equal(before.StandbyInserts, written.StandbyInserts);

        for (var i = 0; i < Reads; i++)
        {
            var request = i % 2 == 0 ? Get($"/posts/{postIds[i % Writes]}", author) : Get("/posts/?limit=5", author);
            Assert.Equal(HttpStatusCode.OK, (await cluster.AnyEntrance().SendAsync(request)).StatusCode);
        }
        // Both counters: a database's commits can be reported after its tables' scans.
        var read = await SettledAsync(now => now.StandbyScans - written.StandbyScans >= Reads && now.StandbyCommits - written.StandbyCommits >= Reads,
            written, "the standby's scans of posts and its commits");
        // Had the reads gone to the primary, its scans would have grown by as many. Some do grow: each
        // new post's foreign-key check from post_vote_counts scans posts' key, and a backend may report
        // those scans seconds after its inserts.
        Assert.True(read.PrimaryScans - written.PrimaryScans < Reads / 5, $"primary scans of posts +{read.PrimaryScans - written.PrimaryScans} during {Reads} reads");
        TestContext.Current.TestOutputHelper?.WriteLine($"{Writes} writes: {before} -> {written}; {Reads} reads: -> {read}");

        // The announcements that keep the instances' caches exact are heard on the primary only.
        const string Listeners = "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'social-api listener'";
        Assert.Equal(3L, await cluster.ScalarAsync<long>("primary", Listeners));
        Assert.Equal(0L, await cluster.ScalarAsync<long>("standby", Listeners));
    }

    /// <summary>
    /// A thousand writes (registrations, posts, votes), each read back at once through nginx or an
    /// instance picked at random: no read misses its write, nor a vote in the count.
    /// </summary>
    [Fact]
    public async Task EveryWriteIsReadBackAtOnceThroughAnyInstance()
    {
        ClusterTopology.Require(nameof(ReplicaTests));
        var users = new List<(int Id, string Token)>();
        var posts = new List<(int Id, int Votes)>();
        var voted = new HashSet<(int User, int Post)>();
        var misses = new List<string>();
        const int Pairs = 1000;

        for (var pair = 0; pair < Pairs; pair++)
        {
            if (pair % 3 == 0 || users.Count == 0)
            {
                var email = UniqueEmail("ryw");
                var registered = await cluster.AnyEntrance().RegisterAsync(email);
                Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
                var id = (await registered.JsonAsync())["id"]!.GetValue<int>();
                users.Add((id, cluster.TokenFor(id)));
                var profile = await cluster.AnyEntrance().GetAsync($"/users/{id}");
                if (profile.StatusCode != HttpStatusCode.OK || (await profile.JsonAsync())["email"]!.GetValue<string>() != email)
                    misses.Add($"pair {pair}: user {id} read back as {profile.StatusCode}");
            }
            else if (pair % 3 == 1 || posts.Count == 0)
            {
                var author = users[cluster.Next(users.Count)].Token;
                var title = UniqueText("ryw");
                var id = await CreatePostAsync(cluster.AnyEntrance(), author, title);
                posts.Add((id, 0));
                var read = await cluster.AnyEntrance().SendAsync(Get($"/posts/{id}", author));
                if (read.StatusCode != HttpStatusCode.OK || (await read.JsonAsync())["Post"]!["title"]!.GetValue<string>() != title)
                    misses.Add($"pair {pair}: post {id} read back as {read.StatusCode}");
            }
            else
            {
                var (voter, token) = users[cluster.Next(users.Count)];
                var index = cluster.Next(posts.Count);
                if (voted.Contains((voter, posts[index].Id)))
                    (voter, token) = await RegisterUserAsync(users); // a fresh voter never voted
                voted.Add((voter, posts[index].Id));
                var vote = new HttpRequestMessage(HttpMethod.Post, "/vote/") { Content = JsonContent.Create(new { post_id = posts[index].Id, dir = 1 }) };
                vote.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                Assert.Equal(HttpStatusCode.Created, (await cluster.AnyEntrance().SendAsync(vote)).StatusCode);
                posts[index] = (posts[index].Id, posts[index].Votes + 1);
                var read = await cluster.AnyEntrance().SendAsync(Get($"/posts/{posts[index].Id}", token));
                var votes = read.StatusCode == HttpStatusCode.OK ? (await read.JsonAsync())["votes"]!.GetValue<int>() : -1;
                if (votes != posts[index].Votes)
                    misses.Add($"pair {pair}: post {posts[index].Id} read back with {votes} votes, not {posts[index].Votes}");
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{Pairs} write-then-read pairs ({users.Count} users, {posts.Count} posts, {voted.Count} votes): {misses.Count} misses");
        Assert.Empty(misses);
    }

    async Task<(int, string)> RegisterUserAsync(List<(int Id, string Token)> users)
    {
        var id = await RegisterIdAsync(cluster.AnyEntrance());
        users.Add((id, cluster.TokenFor(id)));
        return users[^1];
    }

    static async Task<int> RegisterIdAsync(HttpClient client)
    {
        var registered = await client.RegisterAsync(UniqueEmail("replica"));
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        return (await registered.JsonAsync())["id"]!.GetValue<int>();
    }

    static async Task<int> CreatePostAsync(HttpClient client, string token, string title)
    {
        var created = await client.SendAsync(NewPost(token, title));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.JsonAsync())["id"]!.GetValue<int>();
    }

    static HttpRequestMessage NewPost(string token, string title)
    {
        var create = new HttpRequestMessage(HttpMethod.Post, "/posts/") { Content = JsonContent.Create(new { title, content = "replicas" }) };
        create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return create;
    }

    static HttpRequestMessage Get(string path, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    async Task<Statistics> SettledAsync(Func<Statistics, bool> reached, Statistics from, string what)
    {
        var now = from;
        await Eventually.HoldsAsync(async () => reached(now = await StatisticsAsync()), () => $"{what}: {from} -> {now}", TimeSpan.FromSeconds(30));
        return now;
    }

    async Task<Statistics> StatisticsAsync() => new(
        await cluster.ScalarAsync<long>("standby", PostScans),
        await cluster.ScalarAsync<long>("standby", PostInserts),
        await cluster.ScalarAsync<long>("standby", Commits),
        await cluster.ScalarAsync<long>("primary", PostScans),
        await cluster.ScalarAsync<long>("primary", PostInserts));

    readonly record struct Statistics(long StandbyScans, long StandbyInserts, long StandbyCommits, long PrimaryScans, long PrimaryInserts);
}
