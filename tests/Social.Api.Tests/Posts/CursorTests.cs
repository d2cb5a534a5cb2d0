using System.Net;
using Microsoft.Extensions.Configuration;
using Social.Api.Infrastructure;
using Social.Api.Posts;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.ApiClient;
using static Social.Api.Tests.Posts.Feeds;
using static Social.Api.Tests.Posts.ListTests;

namespace Social.Api.Tests.Posts;

/// <summary>Paging by <c>Link: &lt;…&gt;; rel="next"</c> and its cursor: complete, stable under inserts, bound to its list.</summary>
public sealed class CursorTests(TestEnvironment env)
{
    /// <summary>Posts of a tag of their own, of mixed ages and votes (ties included), in the database, by <paramref name="user"/>.</summary>
    async Task<(string Tag, int[] Ids)> SeedAsync(TestUser user, int count)
    {
        var tag = UniqueText("page");
        await using var db = await env.Api.OpenDatabaseAsync();
        var voters = await VotersAsync(db, 4);
        var ids = new int[count];
        for (var i = 0; i < count; i++)
            ids[i] = await InsertPostAsync(db, user.Id, $"{tag} {i}", TimeSpan.FromMinutes(37 * ((i * 7) % count) + 1), i % 4, voters);
        return (tag, ids);
    }

    [Theory]
    [InlineData("")]
    [InlineData("&sort=new")]
    [InlineData("&sort=top")]
    [InlineData("&sort=top&t=week")]
    [InlineData("&sort=hot")]
    public async Task FollowingTheLinksVisitsEveryPostOnceInOrderWhilePostsAreInserted(string sort)
    {
        var user = await env.Api.CreateUserAsync();
        var (tag, seeded) = await SeedAsync(user, 13);
        var whole = Ids(await ListAsync(user, $"?search={tag}&limit=100{sort}"));

        // Inserts run meanwhile (a bounded number, or the id order would chase them forever), and
        // at least one lands between every two pages.
        var inserted = new System.Collections.Concurrent.ConcurrentQueue<int>();
        async Task InsertAsync() => inserted.Enqueue((await user.CreatePostAsync($"{tag} late"))["id"]!.GetValue<int>());
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
                await InsertAsync();
        }, TestContext.Current.CancellationToken);
        var paged = await AllPagesAsync(user.Client, $"/posts/?search={tag}&limit=4{sort}", InsertAsync);
        await writer;

        Assert.Equal(paged.Distinct(), paged);
        Assert.Equal(whole, paged.Where(seeded.Contains));
        Assert.Equal(seeded.Order(), whole.Order());
        Assert.NotEmpty(inserted);
    }

    [Fact]
    public async Task TheLinkKeepsTheOtherParametersDropsSkipAndIsAbsentOnTheLastPage()
    {
        var user = await env.Api.CreateUserAsync();
        var (tag, _) = await SeedAsync(user, 5);

        var first = await user.Client.GetAsync($"/posts/?sort=new&search={tag}&limit=2&skip=1");
        var link = NextLink(first)!;
        var last = await user.Client.GetAsync($"/posts/?sort=new&search={tag}&limit=2&skip=3");

        Assert.StartsWith($"/posts/?sort=new&search={tag}&limit=2&cursor=", link, StringComparison.Ordinal);
        Assert.DoesNotContain("skip", link, StringComparison.Ordinal);
        Assert.Null(NextLink(last));
        Assert.Null(NextLink(await user.Client.GetAsync($"/posts/?search={tag}&limit=0")));
    }

    public static TheoryData<string> Spoilt => ["", "A", "AAAA", "not a cursor!", "AQ", new string('A', 500)];

    [Theory]
    [MemberData(nameof(Spoilt))]
    public async Task AGarbledOrTruncatedCursorIs422(string cursor)
    {
        var user = await env.Api.CreateUserAsync();
        var (tag, _) = await SeedAsync(user, 3);
        var link = NextLink(await user.Client.GetAsync($"/posts/?sort=hot&search={tag}&limit=1"))!;
        var valid = CursorOf(link);

        await AssertRefusedAsync(user, $"/posts/?sort=hot&search={tag}&limit=1&cursor={Uri.EscapeDataString(cursor.Length > 0 ? cursor : valid[..^3])}");
        // One character of the keys, of the signature, of the version: each changes whole bytes.
        foreach (var at in new[] { 5, 30, 0 })
            await AssertRefusedAsync(user, $"/posts/?sort=hot&search={tag}&limit=1&cursor={valid[..at]}{(valid[at] == 'A' ? 'B' : 'A')}{valid[(at + 1)..]}");
    }

    [Theory]
    [InlineData("/posts/?sort=top&search={0}&limit=1")]
    [InlineData("/posts/?sort=new&search={0}-other&limit=1")]
    [InlineData("/posts/?sort=new&search=&limit=1")]
    [InlineData("/posts/?sort=new&limit=1")]
    [InlineData("/posts/?search={0}&limit=1")]
    [InlineData("/users/{1}/posts?sort=new&search={0}&limit=1")]
    public async Task ACursorOfAnotherListIs422(string other)
    {
        var user = await env.Api.CreateUserAsync();
        var (tag, _) = await SeedAsync(user, 3);
        var cursor = CursorOf(NextLink(await user.Client.GetAsync($"/posts/?sort=new&search={tag}&limit=1"))!);

        await AssertRefusedAsync(user, string.Format(System.Globalization.CultureInfo.InvariantCulture, other, tag, user.Id) + $"&cursor={cursor}");
    }

    [Fact]
    public async Task ACursorMadeWithAnotherSecretKeyIs422()
    {
        var user = await env.Api.CreateUserAsync();
        var (tag, ids) = await SeedAsync(user, 3);
        var otherKey = Settings.Load(new ConfigurationBuilder().AddInMemoryCollection([KeyValuePair.Create("SECRET_KEY", (string?)("another-" + ApiFactory.SecretKey))]).Build());
        var forged = new FeedCursors(otherKey).Encode(new FeedList(FeedSort.Id, TopWindow.All, tag, null), new FeedKeys(0, ids[0]));

        await AssertRefusedAsync(user, $"/posts/?search={tag}&cursor={forged}");
    }

    [Fact]
    public async Task ACursorWithSkipIs422()
    {
        var user = await env.Api.CreateUserAsync();
        var (tag, _) = await SeedAsync(user, 3);
        var link = NextLink(await user.Client.GetAsync($"/posts/?search={tag}&limit=1"))!;

        var response = await user.Client.GetAsync(link + "&skip=1");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("""["query","skip"]""", (await response.JsonAsync())["detail"]![0]!["loc"]!.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, (await user.Client.GetAsync(link + "&skip=0")).StatusCode);
    }

    [Fact]
    public async Task ScriptsOfOtherOriginsMayReadTheLinkHeader()
    {
        var user = await env.Api.CreateUserAsync();
        var (tag, _) = await SeedAsync(user, 2);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/posts/?search={tag}&limit=1");
        request.Headers.Add("Origin", "https://app.example");

        var response = await user.Client.SendAsync(request);

        Assert.NotNull(NextLink(response));
        Assert.Contains("Link", string.Join(",", response.Headers.GetValues("Access-Control-Expose-Headers")), StringComparison.OrdinalIgnoreCase);
    }

    static async Task AssertRefusedAsync(TestUser user, string uri)
    {
        var response = await user.Client.GetAsync(uri);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var error = Assert.Single((await response.JsonAsync())["detail"]!.AsArray())!;
        Assert.Equal("""["query","cursor"]""", error["loc"]!.ToJsonString());
        Assert.Contains("cursor", error["msg"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
