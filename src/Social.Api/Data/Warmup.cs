using System.Diagnostics;
using System.Net.Http.Headers;
using System.Runtime;
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

    /// <summary>How often each client sends the cheap requests: the runtime recompiles a method, optimised, once it has run a few dozen times.</summary>
    const int Rounds = 16;

    /// <summary>The longest wait for those recompilations to finish, after the requests.</summary>
    static readonly TimeSpan SettleAtMost = TimeSpan.FromSeconds(2);

    /// <summary>Carried by the warm-up's own requests, with a value known only to this process, so the access log leaves them out.</summary>
    public const string Header = "X-Social-Warm-Up";

    public static readonly string Marker = Guid.NewGuid().ToString("N");

    public static async Task RunAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var database = services.GetRequiredService<NpgsqlDataSource>();
        var settings = services.GetRequiredService<Settings>();

        // Opened together, each warmed as its own PostgreSQL backend (see WarmAsync), then returned
        // to the pool, where they wait for the first requests: opening one (a new backend, SCRAM
        // authentication) costs far more than a request does.
        var connections = await Task.WhenAll(Enumerable.Range(0, Math.Min(settings.Database.PoolSize, Connections))
            .Select(_ => database.OpenConnectionAsync(cancellationToken).AsTask()));
        await Task.WhenAll(connections.Select((connection, i) => WarmAsync(connection, -1 - i, cancellationToken)));
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
    /// Requests of each kind through the whole pipeline (routing, bearer token, binding, validation,
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
        client.DefaultRequestHeaders.Add(Header, Marker);
        // From as many clients at once as there are warm connections; the cheap requests enough times
        // for their code to be compiled again, optimised, as it is under load; a search and a deep
        // page, which cost as much in PostgreSQL as dozens of the others, and the other lists, once each.
        await Parallel.ForEachAsync(Enumerable.Range(0, Connections), cancellationToken, async (_, cancellationToken) =>
        {
            foreach (var path in new[] { "/posts/?search=warm-up", "/posts/?skip=10000", "/posts/?sort=hot", $"/users/{userId}/posts" })
                (await client.GetAsync(path, cancellationToken)).Dispose();
            for (var round = 0; round < Rounds; round++)
            {
                foreach (var path in new[] { "/posts/", "/posts/1", $"/users/{userId}" })
                    (await client.GetAsync(path, cancellationToken)).Dispose();
                // Refused by validation (422), and a vote for a post that cannot exist (404): read, checked, not written.
                (await client.PostAsync("/posts/", Json("{}"), cancellationToken)).Dispose();
                (await client.PostAsync("/vote/", Json("""{"post_id": 0, "dir": 1}"""), cancellationToken)).Dispose();
            }
        });
        await CompiledAsync(cancellationToken);
    }

    // The optimised versions are compiled on a background thread, a moment after the calls that
    // asked for them: done when the count of compiled methods stops moving.
    static async Task CompiledAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var compiled = JitInfo.GetCompiledMethodCount();
        while (Stopwatch.GetElapsedTime(started) < SettleAtMost)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(150), cancellationToken);
            if (JitInfo.GetCompiledMethodCount() is var now && now == compiled)
                return;
            compiled = now;
        }
    }

    /// <summary>
    /// What a backend does once, on its first write, before it is fast: it loads the tables and
    /// indexes a write touches, compiles the vote-count trigger and prepares its foreign-key checks.
    /// A post with an id the sequence never gives (so none is used up) and a vote on it, both
    /// rolled back: nothing is written and nothing is announced.
    /// </summary>
    static async Task WarmAsync(NpgsqlConnection connection, int postId, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var write = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new("INSERT INTO posts (id, title, content, published, owner_id) SELECT $1, 'warm-up', 'warm-up', false, min(id) FROM users HAVING count(*) > 0 ON CONFLICT DO NOTHING") { Parameters = { new() { Value = postId } } },
                new("INSERT INTO votes (user_id, post_id) SELECT owner_id, id FROM posts WHERE id = $1") { Parameters = { new() { Value = postId } } },
                new("DELETE FROM votes WHERE post_id = $1") { Parameters = { new() { Value = postId } } },
            },
        };
        await write.ExecuteNonQueryAsync(cancellationToken);
        await transaction.RollbackAsync(cancellationToken);
    }

    static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
