using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.ApiClient;

namespace Social.Api.Tests.Posts;

public sealed class PostTests(TestEnvironment env)
{
    static readonly string[] PostKeys = ["content", "created_at", "id", "owner", "owner_id", "published", "title"];

    [Fact]
    public async Task CreatingReturns201WithThePostAndItsOwner()
    {
        var user = await env.Api.CreateUserAsync();

        var response = await user.Client.PostAsJsonAsync("/posts/", new { title = "Hello", content = "World" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var post = await response.JsonAsync();
        Assert.Equal(PostKeys, post.Keys());
        Assert.Equal("Hello", post["title"]!.GetValue<string>());
        Assert.Equal("World", post["content"]!.GetValue<string>());
        Assert.True(post["published"]!.GetValue<bool>());
        Assert.Equal(user.Id, post["owner_id"]!.GetValue<int>());
        Assert.Equal(["created_at", "email", "id"], post["owner"].Keys());
        Assert.Equal(user.Id, post["owner"]!["id"]!.GetValue<int>());
        Assert.Equal(user.Email, post["owner"]!["email"]!.GetValue<string>());
    }

    /// <summary>
    /// api-contract §5.1: the created post is the post as stored (it reads back identically, created_at
    /// to the microsecond), and its owner is the owner's public profile.
    /// </summary>
    [Fact]
    public async Task ACreatedPostReadsBackAsAnsweredWithItsOwnersProfile()
    {
        var author = await env.Api.CreateUserAsync();
        var reader = await env.Api.CreateUserAsync();

        var created = await author.CreatePostAsync(UniqueText("read-back"), published: false);

        var read = await (await reader.Client.GetAsync($"/posts/{created["id"]}")).JsonAsync();
        var owner = await (await reader.Client.GetAsync($"/users/{author.Id}")).JsonAsync();
        Assert.True(JsonNode.DeepEquals(created, read["Post"]), $"{created.ToJsonString()} vs {read["Post"]!.ToJsonString()}");
        Assert.True(JsonNode.DeepEquals(owner, created["owner"]), $"{owner.ToJsonString()} vs {created["owner"]!.ToJsonString()}");
    }

    [Fact]
    public async Task IdOwnerAndCreatedAtInTheBodyAreIgnored()
    {
        var user = await env.Api.CreateUserAsync();
        var other = await env.Api.CreateUserAsync();
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);

        var response = await user.Client.PostAsJsonAsync("/posts/", new
        {
            title = "t", content = "c", id = 1, owner_id = other.Id, created_at = "2000-01-01T00:00:00Z", votes = 999,
        });

        var post = await response.JsonAsync();
        Assert.Equal(user.Id, post["owner_id"]!.GetValue<int>());
        // The database's time of the insert, in the original's form (api-contract.md 1.1).
        var createdAt = post["created_at"]!.GetValue<string>();
        Assert.InRange(DateTimeOffset.Parse(createdAt, System.Globalization.CultureInfo.InvariantCulture), before, DateTimeOffset.UtcNow.AddSeconds(5));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$", createdAt);
        var read = await (await user.Client.GetAsync($"/posts/{post["id"]}")).JsonAsync();
        Assert.Equal(0, read["votes"]!.GetValue<int>());
    }

    [Fact]
    public async Task UnpublishedPostsAreStoredAsSuchAndVisibleToEveryone()
    {
        var author = await env.Api.CreateUserAsync();
        var reader = await env.Api.CreateUserAsync();
        var title = UniqueText("draft");
        var id = (await author.CreatePostAsync(title, published: false))["id"]!.GetValue<int>();

        var response = await reader.Client.GetAsync($"/posts/{id}");
        var listed = (await (await reader.Client.GetAsync($"/posts/?search={title}")).JsonAsync()).AsArray();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False((await response.JsonAsync())["Post"]!["published"]!.GetValue<bool>());
        Assert.False(Assert.Single(listed)!["Post"]!["published"]!.GetValue<bool>());
    }

    [Fact]
    public async Task ReadingOneGivesPostAndVotes()
    {
        var author = await env.Api.CreateUserAsync();
        var reader = await env.Api.CreateUserAsync();
        var id = (await author.CreatePostAsync())["id"]!.GetValue<int>();
        await reader.VoteAsync(id, 1);

        var response = await reader.Client.GetAsync($"/posts/{id}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal(["Post", "votes"], body.Keys());
        Assert.Equal(PostKeys, body["Post"].Keys());
        Assert.Equal(1, body["votes"]!.GetValue<int>());
    }

    /// <summary>
    /// Concurrent reads share queries (<c>PostReader</c>): each request still gets its own post, its
    /// own vote count, or its own 404, also when the same id is asked for several times at once.
    /// </summary>
    [Fact]
    public async Task ConcurrentReadsOfManyPostsEachGetTheirOwn()
    {
        var author = await env.Api.CreateUserAsync();
        var reader = await env.Api.CreateUserAsync();
        var posts = new Dictionary<int, (string Title, int Votes)>();
        for (var i = 0; i < 12; i++)
        {
            var title = UniqueText($"concurrent-{i}");
            var id = (await author.CreatePostAsync(title))["id"]!.GetValue<int>();
            if (i % 3 == 0)
                await reader.VoteAsync(id, 1);
            posts[id] = (title, i % 3 == 0 ? 1 : 0);
        }
        int[] missing = [int.MaxValue, int.MaxValue - 1, -5];
        var asked = Enumerable.Range(0, 150).Select(i => i % 10 == 9 ? missing[i % 3] : posts.Keys.ElementAt(i * 7 % posts.Count)).ToList();

        var answers = await Task.WhenAll(asked.Select(async id => (id, response: await reader.Client.GetAsync($"/posts/{id}"))));

        foreach (var (id, response) in answers)
        {
            if (posts.TryGetValue(id, out var expected))
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var body = await response.JsonAsync();
                Assert.Equal(id, body["Post"]!["id"]!.GetValue<int>());
                Assert.Equal(expected.Title, body["Post"]!["title"]!.GetValue<string>());
                Assert.Equal(author.Id, body["Post"]!["owner"]!["id"]!.GetValue<int>());
                Assert.Equal(expected.Votes, body["votes"]!.GetValue<int>());
            }
            else
            {
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
                Assert.Equal($"post with id: {id} was not found", await response.DetailAsync());
            }
        }
    }

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
        Assert.Equal(PostKeys, post.Keys());
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

    [Theory]
    [InlineData("""{"content": "c"}""", "title")]
    [InlineData("""{"title": "t"}""", "content")]
    [InlineData("""{"title": null, "content": "c"}""", "title")]
    [InlineData("""{"title": ["t"], "content": "c"}""", "title")]
    [InlineData("""{"title": "t", "content": {"a": 1}}""", "content")]
    [InlineData("""{"title": "t", "content": "c", "published": null}""", "published")]
    [InlineData("""{"title": "t", "content": "c", "published": [true]}""", "published")]
    [InlineData("""{"title": "t", "content": "c", "published": 2}""", "published")]
    [InlineData("""{"title": "t", "content": "c", "published": "maybe"}""", "published")]
    [InlineData("""{"title": "a\u0000b", "content": "c"}""", "title")]
    [InlineData("""{"title": "t", "content": "\ud800"}""", "content")]
    public async Task InvalidFieldsAre422AtTheirLocation(string json, string field)
    {
        var user = await env.Api.CreateUserAsync();

        var response = await user.Client.PostAsync("/posts/", RawJson(json));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var locs = (await response.JsonAsync())["detail"]!.AsArray().Select(e => e!["loc"]!.ToJsonString());
        Assert.Equal([$"""["body","{field}"]"""], locs);
    }

    [Fact]
    public async Task MissingTitleAndContentAreReportedTogether()
    {
        var user = await env.Api.CreateUserAsync();

        var response = await user.Client.PostAsync("/posts/", RawJson("{}"));

        var errors = (await response.JsonAsync())["detail"]!.AsArray();
        Assert.Equal(["""["body","title"]""", """["body","content"]"""], errors.Select(e => e!["loc"]!.ToJsonString()));
        Assert.All(errors, e => Assert.Equal("value_error.missing", e!["type"]!.GetValue<string>()));
    }

    [Fact]
    public async Task TextRoundTripsExactlyIncludingEmptyAndUnicode()
    {
        var user = await env.Api.CreateUserAsync();
        const string content = "Grüße 🚀 \"quotes\" <script>alert(1)</script> \r\n\t‮";

        var post = await user.CreatePostAsync(title: "", content: content);

        Assert.Equal("", post["title"]!.GetValue<string>());
        Assert.Equal(content, post["content"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(1_000, 100_000, HttpStatusCode.Created)]
    [InlineData(1_001, 1, HttpStatusCode.UnprocessableEntity)]
    [InlineData(1, 100_001, HttpStatusCode.UnprocessableEntity)]
    public async Task TitleAndContentLengthsAreCappedOnWrite(int titleLength, int contentLength, HttpStatusCode expected)
    {
        var user = await env.Api.CreateUserAsync();

        var response = await user.Client.PostAsJsonAsync("/posts/", new { title = new string('t', titleLength), content = new string('c', contentLength) });

        Assert.Equal(expected, response.StatusCode);
    }

    /// <summary>GET, PUT (with a valid body) or DELETE <c>/posts/{id}</c>.</summary>
    static Task<HttpResponseMessage> SendToPostAsync(TestUser user, string method, string id) =>
        user.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), $"/posts/{id}")
        {
            Content = method == "PUT" ? JsonContent.Create(new { title = "t", content = "c" }) : null,
        });
}
