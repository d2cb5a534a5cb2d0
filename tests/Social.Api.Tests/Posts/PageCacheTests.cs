using System.Net;
using System.Text.Json.Nodes;
using Npgsql;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.ApiClient;
using static Social.Api.Tests.Infrastructure.Sql;

namespace Social.Api.Tests.Posts;

/// <summary>
/// Pages of GET /posts/ come from memory until something changes them: writes through the same
/// instance show in the very next read, writes elsewhere (another instance, another program) as
/// soon as they are announced, and nothing is served from memory while announcements cannot be heard.
/// </summary>
public sealed class PageCacheTests(TestEnvironment env)
{
    static async Task<string> PageAsync(HttpClient client, string query)
    {
        var response = await client.GetAsync($"/posts/{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    static JsonArray Items(string page) => JsonNode.Parse(page)!.AsArray();

    static int Votes(string page) => Items(page).Single()!["votes"]!.GetValue<int>();

    static string Title(string page) => Items(page).Single()!["Post"]!["title"]!.GetValue<string>();

    // Bounded polling for changes announced asynchronously (they usually arrive within milliseconds).
    static async Task<string> EventuallyAsync(HttpClient client, string query, Func<string, bool> condition)
    {
        for (var attempt = 0; ; attempt++)
        {
            var page = await PageAsync(client, query);
            if (condition(page) || attempt == 100)
                return page;
            await Task.Delay(50);
        }
    }

    // A user with one post that a search of its own finds alone: a page no other test touches.
    static async Task<(TestUser User, int PostId, string Tag, string Query)> OwnPostAsync(ApiFactory api, string word)
    {
        var user = await api.CreateUserAsync();
        var tag = UniqueText(word);
        var id = (await user.CreatePostAsync($"{tag} first"))["id"]!.GetValue<int>();
        return (user, id, tag, $"?search={tag}");
    }

    // Changes a title behind every instance's back: with triggers off, nothing is announced.
    static async Task RetitleSilentlyAsync(NpgsqlConnection db, int postId, string title)
    {
        await ExecuteAsync(db, "SET session_replication_role = replica");
        await ExecuteAsync(db, "UPDATE posts SET title = $1 WHERE id = $2", title, postId);
        await ExecuteAsync(db, "SET session_replication_role = DEFAULT");
    }

    [Fact]
    public async Task EveryWriteThroughTheServiceShowsInTheVeryNextRead()
    {
        var user = await env.Api.CreateUserAsync();
        var tag = UniqueText("fresh");
        var query = $"?search={tag}";
        Assert.Empty(Items(await PageAsync(user.Client, query)));

        var id = (await user.CreatePostAsync($"{tag} one"))["id"]!.GetValue<int>();
        Assert.Equal(0, Votes(await PageAsync(user.Client, query)));

        Assert.Equal(HttpStatusCode.Created, (await user.VoteAsync(id, 1)).StatusCode);
        Assert.Equal(1, Votes(await PageAsync(user.Client, query)));
        Assert.Equal(HttpStatusCode.Created, (await user.VoteAsync(id, 0)).StatusCode);
        Assert.Equal(0, Votes(await PageAsync(user.Client, query)));

        var put = await user.Client.PutAsync($"/posts/{id}", RawJson($$"""{"title": "{{tag}} two", "content": "c"}"""));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal($"{tag} two", Title(await PageAsync(user.Client, query)));

        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/posts/{id}")).StatusCode);
        Assert.Empty(Items(await PageAsync(user.Client, query)));
    }

    /// <summary>
    /// The page after a silent retitle, once it comes from memory: the service listens for
    /// announcements shortly after start, and reads the database until then.
    /// </summary>
    static async Task<string> ServedFromMemoryAsync(TestUser user, NpgsqlConnection db, int id, string tag, string query)
    {
        var served = "";
        for (var attempt = 0; attempt < 50 && !served.Contains("first"); attempt++)
        {
            await RetitleSilentlyAsync(db, id, $"{tag} first");
            await PageAsync(user.Client, query);
            await RetitleSilentlyAsync(db, id, $"{tag} silent");
            served = await PageAsync(user.Client, query);
            if (!served.Contains("first"))
                await Task.Delay(100);
        }
        return served;
    }

    /// <summary>An instance of the test's own (its database can be locked), once it serves pages from memory.</summary>
    async Task<(ApiFactory Api, TestUser User, string Tag, string Query)> CachingApiAsync(string word)
    {
        var api = await ApiFactory.CreateAsync(env.Cluster);
        try
        {
            var (user, id, tag, query) = await OwnPostAsync(api, word);
            await using (var db = await api.OpenDatabaseAsync())
                Assert.Contains("first", await ServedFromMemoryAsync(user, db, id, tag, query));
            return (api, user, tag, query);
        }
        catch
        {
            await api.DisposeAsync(); // the caller never gets it to dispose
            throw;
        }
    }

    [Fact]
    public async Task ConcurrentMissesOfAPageWaitForOneQuery()
    {
        var (api, user, tag, query) = await CachingApiAsync("burst");
        await using var _ = api;

        await using var locked = await LockedPosts.TakeAsync(api);
        var burst = Enumerable.Range(0, 8).Select(_ => user.Client.GetAsync($"/posts/{query}&limit=5")).ToArray();
        await locked.UntilQueriesWaitAsync();
        await Task.Delay(300); // the other requests arrive meanwhile
        var queries = await locked.WaitingQueriesAsync();
        await locked.ReleaseAsync();

        var pages = await Task.WhenAll(burst);
        Assert.Equal(1, queries);
        Assert.All(pages, page => Assert.Equal(HttpStatusCode.OK, page.StatusCode));
        var bodies = await Task.WhenAll(pages.Select(page => page.Content.ReadAsStringAsync()));
        Assert.Single(bodies.Distinct());
        Assert.Equal($"{tag} silent", Title(bodies[0]));
    }

    [Fact]
    public async Task WhenTheAwaitedReadFailsTheWaitingRequestsReadForThemselves()
    {
        var (api, user, tag, query) = await CachingApiAsync("leader");
        await using var _ = api;

        await using var locked = await LockedPosts.TakeAsync(api);
        using var leaving = new CancellationTokenSource();
        var leader = user.Client.GetAsync($"/posts/{query}&limit=4", leaving.Token);
        await locked.UntilQueriesWaitAsync();
        var followers = Enumerable.Range(0, 4).Select(_ => user.Client.GetAsync($"/posts/{query}&limit=4")).ToArray();
        await Task.Delay(300);
        await leaving.CancelAsync(); // the first request's client leaves: its query is cancelled
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leader);
        await Task.Delay(300);
        await locked.ReleaseAsync();

        var pages = await Task.WhenAll(followers);
        Assert.All(pages, page => Assert.Equal(HttpStatusCode.OK, page.StatusCode));
        foreach (var page in pages)
            Assert.Equal($"{tag} silent", Title(await page.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task AServedPageComesFromMemoryUntilAChangeIsAnnounced()
    {
        var (user, id, tag, query) = await OwnPostAsync(env.Api, "memory");
        await using var db = await env.Api.OpenDatabaseAsync();

        Assert.Equal($"{tag} first", Title(await ServedFromMemoryAsync(user, db, id, tag, query)));

        // Any write through the service ends the cached pages, whichever post it touched.
        await user.CreatePostAsync(UniqueText("unrelated"));
        Assert.Equal($"{tag} silent", Title(await PageAsync(user.Client, query)));
    }

    [Fact]
    public async Task WritesByOtherProgramsShowOnceCommitted()
    {
        var (user, id, _, query) = await OwnPostAsync(env.Api, "foreign");
        Assert.Equal(0, Votes(await PageAsync(user.Client, query)));
        await using var db = await env.Api.OpenDatabaseAsync();

        // As the original would, after a switch back: its statements fire our triggers.
        await ExecuteAsync(db, $"INSERT INTO votes (post_id, user_id) VALUES ({id}, {user.Id})");
        Assert.Equal(1, Votes(await EventuallyAsync(user.Client, query, page => Votes(page) == 1)));

        await ExecuteAsync(db, $"UPDATE users SET email = 'renamed.{Guid.NewGuid():N}@example.com' WHERE id = {user.Id}");
        var renamed = await EventuallyAsync(user.Client, query, page => page.Contains("renamed."));
        Assert.StartsWith("renamed.", Items(renamed).Single()!["Post"]!["owner"]!["email"]!.GetValue<string>());

        await ExecuteAsync(db, $"DELETE FROM posts WHERE id = {id}");
        Assert.Empty(Items(await EventuallyAsync(user.Client, query, page => Items(page).Count == 0)));
    }

    [Fact]
    public async Task WritesThroughAnotherInstanceShowWithinMoments()
    {
        var (user, id, _, query) = await OwnPostAsync(env.Api, "instances");
        Assert.Equal(0, Votes(await PageAsync(user.Client, query)));

        await using var second = await ApiFactory.CreateAsync(env.Cluster, new Dictionary<string, string?> { ["DATABASE_NAME"] = env.Api.DatabaseName });
        using var viaSecond = second.ClientWithToken($"Bearer {user.Token}");
        Assert.Equal(HttpStatusCode.Created, (await viaSecond.PostAsync("/vote/", RawJson($$"""{"post_id": {{id}}, "dir": 1}"""))).StatusCode);

        Assert.Equal(1, Votes(await EventuallyAsync(user.Client, query, page => Votes(page) == 1)));
        Assert.Equal(1, Votes(await PageAsync(viaSecond, query)));
    }

    [Fact]
    public async Task AnInstanceStoppedRightAfterAWriteStillAnnouncesIt()
    {
        var (user, id, _, query) = await OwnPostAsync(env.Api, "stopping");
        Assert.Equal(0, Votes(await PageAsync(user.Client, query)));

        var second = await ApiFactory.CreateAsync(env.Cluster, new Dictionary<string, string?> { ["DATABASE_NAME"] = env.Api.DatabaseName });
        await using (second)
        {
            using var viaSecond = second.ClientWithToken($"Bearer {user.Token}");
            Assert.Equal(HttpStatusCode.Created, (await viaSecond.PostAsync("/vote/", RawJson($$"""{"post_id": {{id}}, "dir": 1}"""))).StatusCode);
        }

        // Well within the page's lifetime (10 s): the stopping instance announced its write.
        Assert.Equal(1, Votes(await EventuallyAsync(user.Client, query, page => Votes(page) == 1)));
    }

    [Fact]
    public async Task WhileChangesCannotBeHeardEveryReadGoesToTheDatabase()
    {
        await using var api = await ApiFactory.CreateAsync(env.Cluster);
        var (user, id, tag, query) = await OwnPostAsync(api, "deaf");
        Assert.Equal($"{tag} first", Title(await PageAsync(user.Client, query)));

        await using var db = await api.OpenDatabaseAsync();
        Assert.True(await CountAsync(db, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'social-api listener' AND datname = current_database()") > 0);
        await RetitleSilentlyAsync(db, id, $"{tag} second");

        // Once the service notices its listener is gone (at once, as the connection breaks), the
        // page is read again, though nothing announced the change.
        Assert.Equal($"{tag} second", Title(await EventuallyAsync(user.Client, query, page => page.Contains("second"))));
    }

    [Fact]
    public async Task ACachedPageIsByteForByteWhatTheDatabaseAnswers()
    {
        var user = await env.Api.CreateUserAsync();
        var tag = UniqueText("bytes");
        for (var i = 0; i < 3; i++)
            await user.CreatePostAsync($"{tag} {i} \"quoted\" ünïcødé <tag> & more");
        var query = $"?search={tag}&limit=2&skip=1";

        await using var uncached = await ApiFactory.CreateAsync(env.Cluster, new Dictionary<string, string?>
        {
            ["DATABASE_NAME"] = env.Api.DatabaseName,
            ["PAGE_CACHE_MB"] = "0",
        });
        using var direct = uncached.ClientWithToken($"Bearer {user.Token}");

        var first = await user.Client.GetAsync($"/posts/{query}");
        var again = await user.Client.GetAsync($"/posts/{query}");
        var fromDatabase = await direct.GetAsync($"/posts/{query}");

        var expected = await fromDatabase.Content.ReadAsStringAsync();
        Assert.Equal(2, Items(expected).Count);
        Assert.Equal(expected, await first.Content.ReadAsStringAsync());
        Assert.Equal(expected, await again.Content.ReadAsStringAsync());
        Assert.Equal(fromDatabase.Content.Headers.ContentLength, again.Content.Headers.ContentLength);

        // Written exactly as the framework writes a typed result: the same items, character for
        // character, and the same headers as GET /posts/{id}.
        var singles = new List<HttpResponseMessage>();
        foreach (var item in Items(expected))
            singles.Add(await user.Client.GetAsync($"/posts/{item!["Post"]!["id"]}"));
        var bodies = await Task.WhenAll(singles.Select(single => single.Content.ReadAsStringAsync()));
        Assert.Equal($"[{string.Join(',', bodies)}]", await again.Content.ReadAsStringAsync());
        Assert.All(singles, single => Assert.Equal(single.Content.Headers.ContentType, again.Content.Headers.ContentType));
    }
}
