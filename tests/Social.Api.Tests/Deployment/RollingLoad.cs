using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.ApiClient;

namespace Social.Api.Tests.Deployment;

/// <summary>Clients each writing a post, voting for it, reading it and the first page, logging in now and then, and taking every other vote back.</summary>
sealed class RollingLoad
{
    /// <summary>The requests that may be sent twice (GETs): the ones nginx retries on another instance.</summary>
    public static readonly string[] Idempotent = ["read", "list"];

    readonly ConcurrentQueue<string> _failures = new();
    readonly ConcurrentQueue<(string What, int? Status)> _failed = new();
    // Votes is null once a vote's outcome is unknown: its request failed, so it may or may not be written.
    readonly ConcurrentDictionary<int, (int UserId, string Title, int? Votes)> _posts = new();
    int _sent, _answered;

    public IEnumerable<string> Failures => _failures;

    /// <summary>Each failed request: what it was, and the status it got (null: no answer).</summary>
    public IReadOnlyCollection<(string What, int? Status)> Failed => _failed;

    public int Sent => _sent;

    public int Answered => _answered;

    /// <summary>Posts whose creation a 201 acknowledged.</summary>
    public int Acknowledged => _posts.Count;

    public async Task RunAsync(TestUser user, CancellationToken stop)
    {
        for (var round = 0; !stop.IsCancellationRequested; round++)
        {
            var title = UniqueText("rolling");
            if (await SendAsync("create", () => user.Client.PostAsJsonAsync("/posts/", new { title, content = "during a rolling restart" }), HttpStatusCode.Created) is not { } created)
                continue;
            var id = (await created.JsonAsync())["id"]!.GetValue<int>();
            _posts[id] = (user.Id, title, await SendAsync("vote", () => user.VoteAsync(id, 1), HttpStatusCode.Created) is null ? null : 1);
            await SendAsync("read", () => user.Client.GetAsync($"/posts/{id}"), HttpStatusCode.OK);
            await SendAsync("list", () => user.Client.GetAsync("/posts/?limit=5"), HttpStatusCode.OK);
            if (round % 2 == 1 && _posts[id].Votes is not null)
                _posts[id] = (user.Id, title, await SendAsync("unvote", () => user.VoteAsync(id, 0), HttpStatusCode.Created) is null ? null : 0);
            if (round % 5 == 0)
                await SendAsync("login", () => user.Client.LoginAsync(user.Email), HttpStatusCode.OK);
        }
    }

    async Task<HttpResponseMessage?> SendAsync(string what, Func<Task<HttpResponseMessage>> send, HttpStatusCode expected)
    {
        Interlocked.Increment(ref _sent);
        try
        {
            var response = await send();
            Interlocked.Increment(ref _answered);
            if (response.StatusCode == expected)
                return response;
            _failed.Enqueue((what, (int)response.StatusCode));
            _failures.Enqueue($"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            _failed.Enqueue((what, null));
            _failures.Enqueue($"{what}: {e}");
        }
        return null;
    }

    /// <summary>
    /// Every post a 201 acknowledged is there, with its title and the vote count the acknowledged
    /// votes leave (unless a vote for it failed, which may or may not have been written).
    /// </summary>
    public async Task AssertWritesPresentAsync(TestUser[] users)
    {
        var reader = users[0].Client;
        foreach (var (id, (_, title, votes)) in _posts)
        {
            var read = await reader.GetAsync($"/posts/{id}");
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            var body = await read.JsonAsync();
            Assert.Equal(title, body["Post"]!["title"]!.GetValue<string>());
            if (votes is { } acknowledged)
                Assert.Equal(acknowledged, body["votes"]!.GetValue<int>());
        }
        Assert.NotEmpty(_posts);
    }
}
