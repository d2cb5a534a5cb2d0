using System.Net;
using System.Net.Http.Json;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.ApiClient;

namespace Social.Api.Tests.Posts;

/// <summary>Replacing and deleting posts, and the ids <c>/posts/{id}</c> accepts.</summary>
public sealed class PostChangeTests(TestEnvironment env)
{
    [Theory]
    [InlineData("2147483647")]
    [InlineData("0")]
    [InlineData("-1")]
    public async Task ReadingAMissingPostIs404(string id)
    {
        var user = await env.Api.CreateUserAsync();

        var response = await user.Client.GetAsync($"/posts/{id}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal($"post with id: {id} was not found", await response.DetailAsync());
    }

    /// <summary>api-contract.md 5.4, 5.6, 5.7: an id no post can have is a client error, never a 5xx.</summary>
    [Theory]
    [InlineData("GET", "2147483648")]
    [InlineData("PUT", "2147483648")]
    [InlineData("DELETE", "2147483648")]
    [InlineData("GET", "1000000000000000000000000000000")]
    [InlineData("PUT", "1000000000000000000000000000000")]
    [InlineData("DELETE", "1000000000000000000000000000000")]
    public async Task IdsBeyond32BitsAreAClientError(string method, string id)
    {
        var user = await env.Api.CreateUserAsync();
        var response = await SendToPostAsync(user, method, id);

        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.NotFound, HttpStatusCode.UnprocessableEntity });
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task NonIntegerIdsAre422(string method)
    {
        var user = await env.Api.CreateUserAsync();
        var response = await SendToPostAsync(user, method, "abc");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("""["path","id"]""", (await response.JsonAsync())["detail"]![0]!["loc"]!.ToJsonString());
    }

    [Fact]
    public async Task UpdateIsAFullReplacementThatKeepsIdOwnerAndCreatedAt()
    {
        var user = await env.Api.CreateUserAsync();
        var created = await user.CreatePostAsync(published: false);
        var id = created["id"]!.GetValue<int>();

        var response = await user.Client.PutAsJsonAsync($"/posts/{id}", new { title = "new", content = "text", id = 1, owner_id = 1, created_at = "2000-01-01T00:00:00Z" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var post = await response.JsonAsync();
        Assert.Equal(PostTests.PostKeys, post.Keys());
        Assert.Equal("new", post["title"]!.GetValue<string>());
        Assert.True(post["published"]!.GetValue<bool>()); // omitted, so back to the default
        Assert.Equal(id, post["id"]!.GetValue<int>());
        Assert.Equal(user.Id, post["owner_id"]!.GetValue<int>());
        Assert.Equal(created["created_at"]!.GetValue<string>(), post["created_at"]!.GetValue<string>());
    }

    [Fact]
    public async Task OnlyTheOwnerMayUpdateOrDeleteAndARefusalChangesNothing()
    {
        var owner = await env.Api.CreateUserAsync();
        var other = await env.Api.CreateUserAsync();
        var id = (await owner.CreatePostAsync("mine"))["id"]!.GetValue<int>();

        var update = await other.Client.PutAsJsonAsync($"/posts/{id}", new { title = "stolen", content = "x" });
        var delete = await other.Client.DeleteAsync($"/posts/{id}");

        Assert.Equal(HttpStatusCode.Forbidden, update.StatusCode);
        Assert.Equal("Not authorized to perform requested action", await update.DetailAsync());
        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
        Assert.Equal("Not authorized to perform requested action", await delete.DetailAsync());
        var post = await (await owner.Client.GetAsync($"/posts/{id}")).JsonAsync();
        Assert.Equal("mine", post["Post"]!["title"]!.GetValue<string>());
    }

    [Fact]
    public async Task UpdatingOrDeletingAMissingPostIs404()
    {
        var user = await env.Api.CreateUserAsync();

        var update = await user.Client.PutAsJsonAsync("/posts/2147483647", new { title = "t", content = "c" });
        var delete = await user.Client.DeleteAsync("/posts/2147483647");

        Assert.Equal(HttpStatusCode.NotFound, update.StatusCode);
        Assert.Equal("post with id: 2147483647 does not exist", await update.DetailAsync());
        Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        Assert.Equal("post with id: 2147483647 does not exist", await delete.DetailAsync());
    }

    [Fact]
    public async Task AnInvalidBodyIs422BeforeMissingOrForeignPostsAreLookedAt()
    {
        var owner = await env.Api.CreateUserAsync();
        var other = await env.Api.CreateUserAsync();
        var id = (await owner.CreatePostAsync())["id"]!.GetValue<int>();

        var foreign = await other.Client.PutAsJsonAsync($"/posts/{id}", new { title = 1 });
        var missing = await other.Client.PutAsJsonAsync("/posts/2147483647", new { title = 1 });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, missing.StatusCode);
    }

    [Fact]
    public async Task DeletingAnswers204WithNoBodyAndThePostIsGoneWithItsVotes()
    {
        var owner = await env.Api.CreateUserAsync();
        var voter = await env.Api.CreateUserAsync();
        var title = UniqueText("doomed");
        var id = (await owner.CreatePostAsync(title))["id"]!.GetValue<int>();
        await voter.VoteAsync(id, 1);

        var response = await owner.Client.DeleteAsync($"/posts/{id}");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Null(response.Content.Headers.ContentType);
        Assert.False(response.Content.Headers.TryGetValues("Content-Length", out _), "a 204 carries no Content-Length");
        Assert.Equal(HttpStatusCode.NotFound, (await owner.Client.GetAsync($"/posts/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.Client.PutAsJsonAsync($"/posts/{id}", new { title = "t", content = "c" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.Client.DeleteAsync($"/posts/{id}")).StatusCode);
        Assert.Empty((await (await owner.Client.GetAsync($"/posts/?search={title}")).JsonAsync()).AsArray());
        Assert.Equal(HttpStatusCode.NotFound, (await voter.VoteAsync(id, 0)).StatusCode);
    }

    /// <summary>GET, PUT (with a valid body) or DELETE <c>/posts/{id}</c>.</summary>
    static Task<HttpResponseMessage> SendToPostAsync(TestUser user, string method, string id) =>
        user.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), $"/posts/{id}")
        {
            Content = method == "PUT" ? JsonContent.Create(new { title = "t", content = "c" }) : null,
        });
}
