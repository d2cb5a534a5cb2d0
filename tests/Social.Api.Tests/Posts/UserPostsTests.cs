using System.Net;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.ApiClient;
using static Social.Api.Tests.Posts.Feeds;
using static Social.Api.Tests.Posts.ListTests;

namespace Social.Api.Tests.Posts;

/// <summary><c>GET /users/{id}/posts</c>: one user's posts, as <c>GET /posts/</c> serves all of them.</summary>
public sealed class UserPostsTests(TestEnvironment env)
{
    [Theory]
    [InlineData("")]
    [InlineData("?sort=new")]
    [InlineData("?sort=top&t=day")]
    [InlineData("?sort=hot")]
    public async Task OnlyThatUsersPostsAreListedInTheOrderAsked(string sort)
    {
        var (author, other) = (await env.Api.CreateUserAsync(), await env.Api.CreateUserAsync());
        var tag = UniqueText("mine");
        int[] own = [(await author.CreatePostAsync(tag))["id"]!.GetValue<int>(), (await author.CreatePostAsync(tag))["id"]!.GetValue<int>()];
        await other.CreatePostAsync(tag);
        await other.VoteAsync(own[0], 1);
        var all = Ids(await ListAsync(other, $"?search={tag}{sort.Replace('?', '&')}"));

        var response = await other.Client.GetAsync($"/users/{author.Id}/posts{sort}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(all.Where(own.Contains), Ids((await response.JsonAsync()).AsArray()));
    }

    [Fact]
    public async Task ItemsAreTheSameAsInTheListOfAllPosts()
    {
        var author = await env.Api.CreateUserAsync();
        var tag = UniqueText("same");
        await author.CreatePostAsync(tag, published: false);

        var mine = await (await author.Client.GetAsync($"/users/{author.Id}/posts")).Content.ReadAsStringAsync();

        Assert.Equal(await (await author.Client.GetAsync($"/posts/?search={tag}")).Content.ReadAsStringAsync(), mine);
    }

    [Fact]
    public async Task SearchLimitSkipAndLinksWorkAsOnTheListOfAllPosts()
    {
        var author = await env.Api.CreateUserAsync();
        var tag = UniqueText("paged");
        var ids = new List<int>();
        for (var i = 0; i < 5; i++)
            ids.Add((await author.CreatePostAsync($"{tag} {i}"))["id"]!.GetValue<int>());
        await author.CreatePostAsync("not matching");

        var first = await author.Client.GetAsync($"/users/{author.Id}/posts?search={tag}&limit=2&skip=1&sort=new");
        var link = NextLink(first)!;

        Assert.StartsWith($"/users/{author.Id}/posts?search={tag}&limit=2&sort=new&cursor=", link, StringComparison.Ordinal);
        Assert.Equal(ids.AsEnumerable().Reverse().Skip(1), Ids((await first.JsonAsync()).AsArray()).Concat(await AllPagesAsync(author.Client, link)));
    }

    [Theory]
    [InlineData("2147483647")]
    [InlineData("0")]
    [InlineData("-5")]
    public async Task AUserWhoDoesNotExistIs404(string id)
    {
        var reader = await env.Api.CreateUserAsync();

        var response = await reader.Client.GetAsync($"/users/{id}/posts");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal($"User with id: {id} does not exist", await response.DetailAsync());
    }

    [Fact]
    public async Task ATokenIsNeededAsForAllPostsAndBadParametersAre422()
    {
        var author = await env.Api.CreateUserAsync();

        var anonymous = await env.Api.CreateClient().GetAsync($"/users/{author.Id}/posts");
        var notAnId = await author.Client.GetAsync("/users/abc/posts?sort=best");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Contains("Bearer", anonymous.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, notAnId.StatusCode);
        Assert.Equal(["path", "query"], (await notAnId.JsonAsync())["detail"]!.AsArray().Select(e => e!["loc"]![0]!.GetValue<string>()));
    }
}
