using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.ApiClient;

namespace Social.Api.Tests.Posts;

public sealed class PostTests(TestEnvironment env)
{
    internal static readonly string[] PostKeys = ["content", "created_at", "id", "owner", "owner_id", "published", "title"];

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
    /// Concurrent reads each get their own post, their own vote count, or their own 404, also when
    /// the same id is asked for several times at once.
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
}
