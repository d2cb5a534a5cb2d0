using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.ApiClient;

namespace Social.Api.Tests.Deployment;

/// <summary>
/// Clients each creating a post, voting for it and reading it, round after round, noting every request (when
/// it was sent and answered, and how) and every write a 201 acknowledged: what a failover must
/// not lose, and what clients met meanwhile.
/// </summary>
sealed class FailoverLoad
{
    /// <summary>One request: Stopwatch timestamps, the status (null: no answer, <see cref="Error"/> says why).</summary>
    public sealed record Attempt(string Client, string What, long Sent, long Answered, int? Status, bool Unavailable, string? Error);

    /// <summary>A write a 201 acknowledged, with when the answer arrived.</summary>
    public sealed record Write(int UserId, int PostId, long Acknowledged);

    readonly ConcurrentQueue<Attempt> _attempts = new();
    readonly ConcurrentQueue<Write> _posts = new(), _votes = new();

    public IReadOnlyCollection<Attempt> Attempts => _attempts;

    public IReadOnlyCollection<Write> Posts => _posts;

    public IReadOnlyCollection<Write> Votes => _votes;

    /// <summary>Rounds of a post, a vote for it and a read of it by <paramref name="user"/> (whose client is bound to one entrance) until <paramref name="stop"/>.</summary>
    public async Task RunAsync(string client, TestUser user, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var created = await SendAsync(client, "create", () => user.Client.PostAsJsonAsync("/posts/", new { title = UniqueText("failover"), content = "c" }));
            if (created is { Response: { StatusCode: HttpStatusCode.Created } answer, At: var at })
            {
                var id = (await answer.JsonAsync())["id"]!.GetValue<int>();
                _posts.Enqueue(new Write(user.Id, id, at));
                if (await SendAsync(client, "vote", () => user.VoteAsync(id, 1)) is { Response.StatusCode: HttpStatusCode.Created, At: var voted })
                    _votes.Enqueue(new Write(user.Id, id, voted));
                // Reads keep the standby busy, as they do in production: Npgsql then keeps knowing it as a standby.
                await SendAsync(client, "read", () => user.Client.GetAsync($"/posts/{id}"));
                // A light load: the machine has two cores, shared with the three instances, nginx and PostgreSQL.
                await Task.Delay(20, CancellationToken.None);
            }
            else
                await Task.Delay(100, CancellationToken.None); // a client told to retry waits a little first
        }
    }

    async Task<(HttpResponseMessage? Response, long At)?> SendAsync(string client, string what, Func<Task<HttpResponseMessage>> send)
    {
        var sent = Stopwatch.GetTimestamp();
        try
        {
            var response = await send();
            var answered = Stopwatch.GetTimestamp();
            var unavailable = await IsUnavailableAsync(response);
            _attempts.Enqueue(new Attempt(client, what, sent, answered, (int)response.StatusCode, unavailable, null));
            return (response, answered);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            _attempts.Enqueue(new Attempt(client, what, sent, Stopwatch.GetTimestamp(), null, false, e.Message));
            return null;
        }
    }
}
