using System.Net;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.ApiClient;

namespace Social.Api.Tests.Votes;

public sealed class VoteTests(TestEnvironment env)
{
    static async Task<int> VotesOfAsync(TestUser reader, int postId) =>
        (await (await reader.Client.GetAsync($"/posts/{postId}")).JsonAsync())["votes"]!.GetValue<int>();

    [Fact]
    public async Task VoteThenVoteAgainThenRemoveThenRemoveAgain()
    {
        var user = await env.Api.CreateUserAsync();
        var postId = (await user.CreatePostAsync())["id"]!.GetValue<int>();

        var added = await user.VoteAsync(postId, 1);
        var again = await user.VoteAsync(postId, 1);
        Assert.Equal(1, await VotesOfAsync(user, postId));
        var removed = await user.VoteAsync(postId, 0);
        var removedAgain = await user.VoteAsync(postId, 0);
        var addedAfterRemoval = await user.VoteAsync(postId, 1);

        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Equal("""{"message":"successfully added vote"}""", await added.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal($"user {user.Id} has alredy voted on post {postId}", await again.DetailAsync());
        Assert.Equal(HttpStatusCode.Created, removed.StatusCode);
        Assert.Equal("""{"message":"successfully deleted vote"}""", await removed.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, removedAgain.StatusCode);
        Assert.Equal("Vote does not exist", await removedAgain.DetailAsync());
        Assert.Equal(HttpStatusCode.Created, addedAfterRemoval.StatusCode);
        Assert.Equal(1, await VotesOfAsync(user, postId));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task VotingOnAMissingPostIs404InEitherDirection(int dir)
    {
        var user = await env.Api.CreateUserAsync();

        var response = await user.VoteAsync(int.MaxValue, dir);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal($"Post with id: {int.MaxValue} does not exist", await response.DetailAsync());
    }

    [Fact]
    public async Task AnyoneMayVoteOnAnyPost()
    {
        var author = await env.Api.CreateUserAsync();
        var other = await env.Api.CreateUserAsync();
        var postId = (await author.CreatePostAsync())["id"]!.GetValue<int>();

        Assert.Equal(HttpStatusCode.Created, (await author.VoteAsync(postId, 1)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await other.VoteAsync(postId, 1)).StatusCode);
        Assert.Equal(2, await VotesOfAsync(other, postId));
    }

    [Theory]
    [InlineData("""{"post_id": 1, "dir": 2}""", "dir")]
    [InlineData("""{"post_id": 1, "dir": 100}""", "dir")]
    [InlineData("""{"post_id": 1, "dir": -1}""", "dir")]
    [InlineData("""{"post_id": 1}""", "dir")]
    [InlineData("""{"post_id": 1, "dir": null}""", "dir")]
    [InlineData("""{"post_id": 1, "dir": "up"}""", "dir")]
    [InlineData("""{"post_id": 1, "dir": [1]}""", "dir")]
    [InlineData("""{"post_id": 1, "dir": 0.5}""", "dir")]
    [InlineData("""{"dir": 1}""", "post_id")]
    [InlineData("""{"post_id": "seven", "dir": 1}""", "post_id")]
    [InlineData("""{"post_id": 2147483648, "dir": 1}""", "post_id")]
    public async Task InvalidVotesAre422(string json, string field)
    {
        var user = await env.Api.CreateUserAsync();

        var response = await user.Client.PostAsync("/vote/", RawJson(json));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal($"""["body","{field}"]""", (await response.JsonAsync())["detail"]![0]!["loc"]!.ToJsonString());
    }

    [Fact]
    public async Task TwentyConcurrentVotesByOneUserGiveExactlyOne201AndTheRest409()
    {
        var user = await env.Api.CreateUserAsync();
        var postId = (await user.CreatePostAsync())["id"]!.GetValue<int>();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => user.VoteAsync(postId, 1)));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.Equal(19, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(1, await VotesOfAsync(user, postId));
    }

    [Fact]
    public async Task ConcurrentVotesAndUnvotesLeaveTheCountEqualToTheRows()
    {
        var voters = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => env.Api.CreateUserAsync()));
        var postId = (await voters[0].CreatePostAsync())["id"]!.GetValue<int>();

        var responses = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => voters[i % 5].VoteAsync(postId, i / 5 % 2)));

        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.NotFound, HttpStatusCode.Conflict }));
        await using var db = await env.Api.OpenDatabaseAsync();
        await using var count = new Npgsql.NpgsqlCommand("SELECT count(*) FROM votes WHERE post_id = $1", db) { Parameters = { new() { Value = postId } } };
        Assert.Equal((long)await VotesOfAsync(voters[0], postId), await count.ExecuteScalarAsync());
    }
}
