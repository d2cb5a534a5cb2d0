using System.Net;
using System.Text.Json.Nodes;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.ApiClient;

namespace Social.Api.Tests.Posts;

public sealed class ListTests(TestEnvironment env)
{
    async Task<(TestUser User, string Tag, int[] Ids)> CreatePostsAsync(int count)
    {
        var user = await env.Api.CreateUserAsync();
        var tag = UniqueText("tag");
        var ids = new int[count];
        for (var i = 0; i < count; i++)
            ids[i] = (await user.CreatePostAsync($"{tag} {i}"))["id"]!.GetValue<int>();
        return (user, tag, ids);
    }

    internal static async Task<JsonArray> ListAsync(TestUser user, string query)
    {
        var response = await user.Client.GetAsync($"/posts/{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.JsonAsync()).AsArray();
    }

    internal static int[] Ids(JsonArray items) => [.. items.Select(i => i!["Post"]!["id"]!.GetValue<int>())];

    [Fact]
    public async Task TheDefaultPageHoldsTenPostsWithVotes()
    {
        var (user, tag, _) = await CreatePostsAsync(11);

        var items = await ListAsync(user, $"?search={tag}");

        Assert.Equal(10, items.Count);
        Assert.All(items, i => Assert.Equal(["Post", "votes"], i.Keys()));
    }

    [Fact]
    public async Task ResultsAreOrderedByIdSoPagesAreDisjointAndComplete()
    {
        var (user, tag, ids) = await CreatePostsAsync(7);

        var pages = new List<int>();
        for (var skip = 0; skip < 9; skip += 3)
            pages.AddRange(Ids(await ListAsync(user, $"?search={tag}&limit=3&skip={skip}")));

        Assert.Equal(ids, pages);
    }

    [Fact]
    public async Task DeepPagesAreTheSameSliceOfTheIdOrder()
    {
        var user = await env.Api.CreateUserAsync();
        var tag = UniqueText("deep");
        await using (var db = await env.Api.OpenDatabaseAsync())
        await using (var insert = new Npgsql.NpgsqlCommand($"INSERT INTO posts (title, content, owner_id) SELECT '{tag} ' || g, 'c', {user.Id} FROM generate_series(1, 1150) g", db))
            await insert.ExecuteNonQueryAsync();
        var all = new List<int>();
        for (var skip = 0; skip < 1150; skip += 100)
            all.AddRange(Ids(await ListAsync(user, $"?search={tag}&limit=100&skip={skip}")));

        var deep = Ids(await ListAsync(user, $"?search={tag}&limit=100&skip=1000"));

        Assert.Equal(1150, all.Distinct().Count());
        Assert.Equal(all.Order(), all);
        Assert.Equal(all.Skip(1000).Take(100), deep);
    }

    [Fact]
    public async Task LimitZeroAndSkipPastTheEndGiveEmptyLists()
    {
        var (user, tag, _) = await CreatePostsAsync(2);

        Assert.Empty(await ListAsync(user, $"?search={tag}&limit=0"));
        Assert.Empty(await ListAsync(user, $"?search={tag}&skip=2"));
        Assert.Empty(await ListAsync(user, $"?search={tag}&skip=9223372036854775807"));
        Assert.Empty(await ListAsync(user, $"?search={tag}&skip=100000000000000000000")); // beyond 2^63: 200, not the reference's 500
    }

    /// <summary>api-contract.md, search: empty or absent means no filter. In a database of its own, so every post is known.</summary>
    [Fact]
    public async Task AnEmptySearchIsNoFilter()
    {
        await using var api = await ApiFactory.CreateAsync(env.Cluster);
        var user = await api.CreateUserAsync();
        int[] ids = [(await user.CreatePostAsync("alpha"))["id"]!.GetValue<int>(), (await user.CreatePostAsync("beta"))["id"]!.GetValue<int>()];

        Assert.Equal(ids, Ids(await ListAsync(user, "?search=")));
        Assert.Equal(ids, Ids(await ListAsync(user, "")));
        Assert.Equal([ids[0]], Ids(await ListAsync(user, "?search=alpha")));
    }

    [Theory]
    [InlineData("limit", "abc")]
    [InlineData("limit", "1.5")]
    [InlineData("limit", "")]
    [InlineData("skip", "1e3")]
    [InlineData("skip", "x")]
    public async Task NonIntegerLimitOrSkipIs422AtTheQueryParameter(string name, string value)
    {
        var user = await env.Api.CreateUserAsync();

        var response = await user.Client.GetAsync($"/posts/?{name}={value}");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal($"""["query","{name}"]""", (await response.JsonAsync())["detail"]![0]!["loc"]!.ToJsonString());
    }

    [Theory]
    [InlineData("limit=-1")]
    [InlineData("skip=-1")]
    public async Task NegativeLimitOrSkipIs422(string query)
    {
        var user = await env.Api.CreateUserAsync();

        var response = await user.Client.GetAsync($"/posts/?{query}");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
    }

    [Theory]
    [InlineData("2147483648")]
    [InlineData("9223372036854775807")]
    [InlineData("100000000000000000000")]
    public async Task HugeLimitsAreCappedAtTheMaximumPageSize(string limit)
    {
        var (user, tag, ids) = await CreatePostsAsync(3);

        var items = await ListAsync(user, $"?search={tag}&limit={limit}");

        Assert.Equal(ids, Ids(items));
        Assert.True((await ListAsync(user, $"?limit={limit}")).Count <= 100);
    }

    [Fact]
    public async Task ARepeatedParameterTakesTheLastValue()
    {
        var (user, tag, _) = await CreatePostsAsync(3);

        Assert.Single(await ListAsync(user, $"?search={tag}&limit=3&limit=1"));
    }

    [Fact]
    public async Task EachItemCarriesItsCurrentVoteCount()
    {
        var (author, tag, ids) = await CreatePostsAsync(2);
        var voters = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => env.Api.CreateUserAsync()));
        foreach (var voter in voters)
            await voter.VoteAsync(ids[0], 1);
        await voters[0].VoteAsync(ids[1], 1);
        await voters[0].VoteAsync(ids[0], 0);

        var items = await ListAsync(author, $"?search={tag}");

        Assert.Equal([2, 1], items.Select(i => i!["votes"]!.GetValue<int>()));
    }
}
