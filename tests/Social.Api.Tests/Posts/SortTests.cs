using System.Net;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.ApiClient;
using static Social.Api.Tests.Posts.Feeds;
using static Social.Api.Tests.Posts.ListTests;

namespace Social.Api.Tests.Posts;

/// <summary><c>?sort=new|top|hot</c> and <c>t</c>, each within a search of its own tag (the database is shared).</summary>
public sealed class SortTests(TestEnvironment env)
{
    [Fact]
    public async Task NewPutsTheLatestCreatedFirstWhateverTheirIds()
    {
        var user = await env.Api.CreateUserAsync();
        var tag = UniqueText("new");
        await using var db = await env.Api.OpenDatabaseAsync();
        var older = await InsertPostAsync(db, user.Id, tag, TimeSpan.FromHours(5));
        var newest = await InsertPostAsync(db, user.Id, tag, TimeSpan.FromMinutes(1));
        var oldest = await InsertPostAsync(db, user.Id, tag, TimeSpan.FromDays(3));

        Assert.Equal([newest, older, oldest], Ids(await ListAsync(user, $"?sort=new&search={tag}")));
        Assert.Equal([older, newest, oldest], Ids(await ListAsync(user, $"?search={tag}"))); // no sort: by id, as before
    }

    [Fact]
    public async Task TopPutsTheMostVotedFirstAndTiesGoToTheHigherId()
    {
        var user = await env.Api.CreateUserAsync();
        var tag = UniqueText("top");
        await using var db = await env.Api.OpenDatabaseAsync();
        var voters = await VotersAsync(db, 3);
        int[] posts = [
            await InsertPostAsync(db, user.Id, tag, TimeSpan.FromHours(1), 2, voters),
            await InsertPostAsync(db, user.Id, tag, TimeSpan.FromHours(1), 0, voters),
            await InsertPostAsync(db, user.Id, tag, TimeSpan.FromHours(1), 2, voters),
            await InsertPostAsync(db, user.Id, tag, TimeSpan.FromHours(1), 3, voters)];

        var items = await ListAsync(user, $"?sort=top&search={tag}");

        Assert.Equal([posts[3], posts[2], posts[0], posts[1]], Ids(items));
        Assert.Equal([3, 2, 2, 0], items.Select(i => i!["votes"]!.GetValue<int>()));
    }

    [Theory]
    [InlineData("day", 1)]
    [InlineData("week", 2)]
    [InlineData("month", 3)]
    [InlineData("year", 4)]
    [InlineData("all", 5)]
    public async Task TopWithinAWindowKeepsOnlyThePostsCreatedWithinIt(string window, int kept)
    {
        var user = await env.Api.CreateUserAsync();
        var tag = UniqueText("window");
        await using var db = await env.Api.OpenDatabaseAsync();
        var voters = await VotersAsync(db, 5);
        // The older, the more votes: a window that leaked would put an old post first.
        int[] byAge = [
            await InsertPostAsync(db, user.Id, tag, TimeSpan.FromHours(2), 1, voters),
            await InsertPostAsync(db, user.Id, tag, TimeSpan.FromDays(3), 2, voters),
            await InsertPostAsync(db, user.Id, tag, TimeSpan.FromDays(20), 3, voters),
            await InsertPostAsync(db, user.Id, tag, TimeSpan.FromDays(200), 4, voters),
            await InsertPostAsync(db, user.Id, tag, TimeSpan.FromDays(800), 5, voters)];

        Assert.Equal(byAge.Take(kept).Reverse(), Ids(await ListAsync(user, $"?sort=top&t={window}&search={tag}")));
    }

    /// <summary>log10(max(votes, 1)) + age / 45000 s: ten times the votes make up for 12.5 hours; a post without votes is ranked too.</summary>
    [Fact]
    public async Task HotWeighsVotesAgainstAge()
    {
        var user = await env.Api.CreateUserAsync();
        var tag = UniqueText("hot");
        await using var db = await env.Api.OpenDatabaseAsync();
        var voters = await VotersAsync(db, 10);
        var dayOldTenVotes = await InsertPostAsync(db, user.Id, tag, TimeSpan.FromHours(24), 10, voters);
        var freshNoVotes = await InsertPostAsync(db, user.Id, tag, TimeSpan.Zero);
        var sixHoursTenVotes = await InsertPostAsync(db, user.Id, tag, TimeSpan.FromHours(6), 10, voters);
        var hourOneVote = await InsertPostAsync(db, user.Id, tag, TimeSpan.FromHours(1), 1, voters);

        Assert.Equal([sixHoursTenVotes, freshNoVotes, hourOneVote, dayOldTenVotes], Ids(await ListAsync(user, $"?sort=hot&search={tag}")));

        // A vote moves a post up at once: the rank is stored with the count.
        foreach (var voter in voters.Skip(1).Take(2))
            await Sql.ExecuteAsync(db, "INSERT INTO votes (user_id, post_id) VALUES ($1, $2)", voter, hourOneVote);
        Assert.Equal(hourOneVote, Ids(await ListAsync(user, $"?sort=hot&search={tag}"))[1]);
    }

    [Theory]
    [InlineData("new")]
    [InlineData("top")]
    [InlineData("hot")]
    [InlineData("top&t=week")]
    public async Task EverySortKeepsTheSearchRules(string sort)
    {
        var user = await env.Api.CreateUserAsync();
        var tag = UniqueText("Search");
        int[] matching = [(await user.CreatePostAsync($"a {tag} b"))["id"]!.GetValue<int>(), (await user.CreatePostAsync($"{tag}"))["id"]!.GetValue<int>()];
        await user.CreatePostAsync(tag.ToLowerInvariant()); // case-sensitive
        await user.CreatePostAsync("other", content: tag); // titles only

        Assert.Equal(matching.Order(), Ids(await ListAsync(user, $"?sort={sort}&search={tag}")).Order());
    }

    [Theory]
    [InlineData("sort=old", "sort")]
    [InlineData("sort=TOP", "sort")]
    [InlineData("sort=top&t=decade", "t")]
    [InlineData("sort=new&t=week", "t")]
    [InlineData("sort=hot&t=all", "t")]
    [InlineData("t=day", "t")]
    public async Task UnknownSortsAndWindowsAndWindowsWithoutTopAre422(string query, string parameter)
    {
        var user = await env.Api.CreateUserAsync();

        var response = await user.Client.GetAsync($"/posts/?{query}");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var error = (await response.JsonAsync())["detail"]![0]!;
        Assert.Equal($"""["query","{parameter}"]""", error["loc"]!.ToJsonString());
        Assert.False(string.IsNullOrWhiteSpace(error["msg"]!.GetValue<string>()));
    }

    [Fact]
    public async Task WithoutASortTheBodyIsTheIdOrderAsBefore()
    {
        var user = await env.Api.CreateUserAsync();
        var tag = UniqueText("same");
        for (var i = 0; i < 3; i++)
            await user.CreatePostAsync($"{tag} {i}");

        var plain = await (await user.Client.GetAsync($"/posts/?search={tag}")).Content.ReadAsStringAsync();

        Assert.Equal(plain, await (await user.Client.GetAsync($"/posts/?search={tag}&sort=")).Content.ReadAsStringAsync());
        Assert.Equal(plain, await (await user.Client.GetAsync($"/posts/?limit=10&search={tag}")).Content.ReadAsStringAsync());
    }
}
