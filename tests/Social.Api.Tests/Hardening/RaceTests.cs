using System.Net;
using System.Net.Http.Json;
using Npgsql;
using Social.Api.Tests.Infrastructure;

namespace Social.Api.Tests.Hardening;

/// <summary>T37, T39: concurrent writes on one post leave consistent data and answer only expected statuses.</summary>
public sealed class RaceTests(TestEnvironment env)
{
    [Fact]
    public async Task ConcurrentUpdatesVotesReadsAndADeleteOnOnePostStayConsistent()
    {
        var owner = await env.Api.CreateUserAsync();
        var voters = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => env.Api.CreateUserAsync()));
        var postId = (await owner.CreatePostAsync())["id"]!.GetValue<int>();

        var work = new List<Task<HttpResponseMessage>>();
        for (var i = 0; i < 10; i++)
            work.Add(owner.Client.PutAsJsonAsync($"/posts/{postId}", new { title = $"v{i}", content = "c" }));
        work.AddRange(voters.Select(v => v.VoteAsync(postId, 1)));
        work.AddRange(voters.Take(5).Select(v => v.VoteAsync(postId, 0)));
        work.AddRange(Enumerable.Range(0, 10).Select(_ => owner.Client.GetAsync($"/posts/{postId}")));
        work.Add(owner.Client.DeleteAsync($"/posts/{postId}"));
        var responses = await Task.WhenAll(work);

        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[]
        {
            HttpStatusCode.OK, HttpStatusCode.Created, HttpStatusCode.NoContent, HttpStatusCode.NotFound, HttpStatusCode.Conflict,
        }));
        Assert.Equal(HttpStatusCode.NotFound, (await owner.Client.PutAsJsonAsync($"/posts/{postId}", new { title = "back", content = "c" })).StatusCode);
        await using var db = await env.Api.OpenDatabaseAsync();
        await using var orphans = new NpgsqlCommand("SELECT count(*) FROM votes v LEFT JOIN posts p ON p.id = v.post_id WHERE p.id IS NULL", db);
        Assert.Equal(0L, await orphans.ExecuteScalarAsync());
    }
}
