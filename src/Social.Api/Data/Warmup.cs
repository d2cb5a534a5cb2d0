using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Npgsql;
using Social.Api.Auth;
using Social.Api.Infrastructure;
using Social.Api.Posts;

namespace Social.Api.Data;

/// <summary>
/// Run once before <c>/health/ready</c> first reports 200, so that the first requests a load
/// balancer sends do not pay for opening pool connections or for the first run of each code path.
/// </summary>
static class Warmup
{
    /// <summary>Connections ready for the first burst of requests; the pool opens more on demand and closes idle ones after five minutes.</summary>
    const int Connections = 16;

    public static async Task RunAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var database = services.GetRequiredService<NpgsqlDataSource>();
        var settings = services.GetRequiredService<Settings>();

        // Opened together, then returned to the pool, where they wait for the first requests: opening
        // one (a new backend, SCRAM authentication) costs far more than a request does.
        var connections = await Task.WhenAll(Enumerable.Range(0, Math.Min(settings.Database.PoolSize, Connections))
            .Select(_ => database.OpenConnectionAsync(cancellationToken).AsTask()));
        foreach (var connection in connections)
            await connection.DisposeAsync();

        // Each read the endpoints send, through their own code (compiled, and planned by PostgreSQL,
        // once here): a first page in each order, a search, a deep page, one post, and a user as the
        // token check looks it up.
        foreach (var (sort, search, skip) in new[] { (FeedSort.Id, "", 0), (FeedSort.Id, "warm-up", 0), (FeedSort.Id, "", 10_000), (FeedSort.New, "", 0), (FeedSort.Top, "", 0), (FeedSort.Hot, "", 0) })
            await FeedSql.ReadAsync(database, new FeedPage(new FeedList(sort, TopWindow.All, search, null), skip, 10, null, null), cancellationToken);
        await PostSql.ReadAllAsync(PostSql.ById(database, 1, null), cancellationToken);
        await PostSql.ExistsAsync(database, 1, null, cancellationToken);
        await using var scope = services.CreateAsyncScope();
        await services.GetRequiredService<KnownUsers>().FindAsync(1, scope.ServiceProvider, cancellationToken);

        await SendRequestsAsync(services, database, cancellationToken);
    }

    /// <summary>
    /// A request of each kind through the whole pipeline (routing, bearer token, binding, validation,
    /// JSON), sent to this server over loopback as the first user; none writes anything. Skipped
    /// when there is no user yet or the server listens on no plain HTTP address.
    /// </summary>
    static async Task SendRequestsAsync(IServiceProvider services, NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        var started = new TaskCompletionSource();
        using (services.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.Register(started.SetResult))
            await started.Task.WaitAsync(cancellationToken);
        var address = services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses
            .Select(BindingAddress.Parse).FirstOrDefault(address => address.Scheme == "http" && !address.IsUnixPipe
                && !services.GetRequiredService<Settings>().Management.Ports.Contains(address.Port)); // the management address serves no API
        await using var firstUser = database.Command("SELECT min(id) FROM users");
        if (address is null || await firstUser.ExecuteScalarAsync(cancellationToken) is not int userId)
            return;

        var host = address.Host is "+" or "*" or "0.0.0.0" or "[::]" ? "localhost" : address.Host;
        using var client = new HttpClient { BaseAddress = new Uri($"http://{host}:{address.Port}"), Timeout = TimeSpan.FromSeconds(5) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", services.GetRequiredService<TokenService>().CreateToken(userId));
        foreach (var path in new[] { "/posts/", "/posts/?search=warm-up", "/posts/?skip=10000", "/posts/?sort=hot", "/posts/1", $"/users/{userId}", $"/users/{userId}/posts" })
            (await client.GetAsync(path, cancellationToken)).Dispose();
        // Refused by validation (422), and a vote for a post that cannot exist (404): read, checked, not written.
        (await client.PostAsync("/posts/", Json("{}"), cancellationToken)).Dispose();
        (await client.PostAsync("/vote/", Json("""{"post_id": 0, "dir": 1}"""), cancellationToken)).Dispose();
    }

    static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
