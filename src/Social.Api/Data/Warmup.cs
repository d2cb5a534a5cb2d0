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

    /// <summary>How often each client sends the cheap requests in one wave: the runtime promotes a method once it has run 30 times.</summary>
    const int Rounds = 4;

    /// <summary>Users whose tokens the requests carry, in turn.</summary>
    const int Users = 256;

    /// <summary>Two waves in a row after each of which the JIT compiled fewer methods than this end the warm-up.</summary>
    const int Settled = 50;

    /// <summary>The longest wait for the recompilations a wave asked for.</summary>
    static readonly TimeSpan SettleAtMost = TimeSpan.FromSeconds(2);

    /// <summary>No new wave starts after this long.</summary>
    static readonly TimeSpan WavesAtMost = TimeSpan.FromSeconds(15);

    /// <summary>Carried by the warm-up's own requests, with a value known only to this process, so the access log leaves them out.</summary>
    public const string Header = "X-Social-Warm-Up";

    public static readonly string Marker = Guid.NewGuid().ToString("N");

    /// <summary>Returns how many waves of requests it sent (0 when it sent none).</summary>
    public static async Task<int> RunAsync(IServiceProvider services, CancellationToken cancellationToken)
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
        // With standbys, the reads have connections of their own there: as many, opened as well.
        var reads = services.GetRequiredService<Reads>();
        if (reads.PreferStandbys)
        {
            foreach (var connection in await Task.WhenAll(connections.Select(_ => reads.Source.OpenConnectionAsync(cancellationToken).AsTask())))
                await connection.DisposeAsync();
        }

        // Each read the endpoints send, through their own code (compiled, and planned by PostgreSQL,
        // once here): a first page in each order, a search, a deep page, one post, and a user as the
        // token check looks it up.
        foreach (var (sort, search, skip) in new[] { (FeedSort.Id, "", 0), (FeedSort.Id, "warm-up", 0), (FeedSort.Id, "", 10_000), (FeedSort.New, "", 0), (FeedSort.Top, "", 0), (FeedSort.Hot, "", 0) })
            await FeedSql.ReadAsync(reads.Source, new FeedPage(new FeedList(sort, TopWindow.All, search, null), skip, 10, null, null), cancellationToken);
        await PostSql.ReadAllAsync(PostSql.ById(reads.Source, 1, null), cancellationToken);
        await PostSql.ExistsAsync(database, 1, null, cancellationToken);
        await services.GetRequiredService<KnownUsers>().FindAsync(1, cancellationToken);

        return await SendRequestsAsync(services, database, cancellationToken);
    }

    /// <summary>
    /// Requests of each kind through the whole pipeline (routing, bearer token, binding, validation,
    /// JSON), sent to this server over loopback as the first users; none writes anything. Skipped
    /// when there is no user yet or the server listens on no plain HTTP address.
    /// </summary>
    static async Task<int> SendRequestsAsync(IServiceProvider services, NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        var started = new TaskCompletionSource();
        using (services.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.Register(started.SetResult))
            await started.Task.WaitAsync(cancellationToken);
        var address = services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses
            .Select(BindingAddress.Parse).FirstOrDefault(address => address.Scheme == "http" && !address.IsUnixPipe
                && !services.GetRequiredService<Settings>().Management.Ports.Contains(address.Port)); // the management address serves no API
        if (address is null)
            return 0;
        var userIds = new List<int>();
        await using (var firstUsers = database.Command($"SELECT id FROM users ORDER BY id LIMIT {Users}"))
        await using (var rows = await firstUsers.ExecuteReaderAsync(cancellationToken))
            while (await rows.ReadAsync(cancellationToken))
                userIds.Add(rows.GetInt32(0));
        if (userIds.Count == 0)
            return 0;

        var host = address.Host is "+" or "*" or "0.0.0.0" or "[::]" ? "localhost" : address.Host;
        using var client = new HttpClient { BaseAddress = new Uri($"http://{host}:{address.Port}"), Timeout = TimeSpan.FromSeconds(5) };
        client.DefaultRequestHeaders.Add(Header, Marker);
        var tokens = services.GetRequiredService<TokenService>();
        // Many users, as under load, so that looking up a user the cache does not hold yet runs often too.
        var bearers = userIds.Select(id => new AuthenticationHeaderValue("Bearer", tokens.CreateToken(id))).ToArray();
        var userId = userIds[0];

        // From as many clients at once as there are warm connections. First a search and a deep page,
        // which cost as much in PostgreSQL as dozens of the others, and the other lists, once each.
        await Parallel.ForEachAsync(Enumerable.Range(0, Connections), cancellationToken, async (clientIndex, cancellationToken) =>
        {
            foreach (var path in new[] { "/posts/?search=warm-up", "/posts/?skip=10000", "/posts/?sort=hot", $"/users/{userId}/posts" })
                await SendAsync(client, HttpMethod.Get, path, null, bearers[clientIndex % bearers.Length], cancellationToken);
        });
        // Then the cheap requests in waves, until the waves leave nothing more for the JIT to compile.
        // The runtime counts calls (and so promotes a method to its optimised version) only once it
        // has compiled no new method for a moment, and then in steps (instrumented, then optimised),
        // so one long burst leaves that work for the first requests after ready.
        var wavesStarted = Stopwatch.GetTimestamp();
        var request = 0;
        var waves = 0;
        var quietWaves = 0;
        while (Stopwatch.GetElapsedTime(wavesStarted) < WavesAtMost)
        {
            waves++;
            var compiledBefore = JitInfo.GetCompiledMethodCount();
            await Parallel.ForEachAsync(Enumerable.Range(0, Connections), cancellationToken, async (_, cancellationToken) =>
            {
                for (var round = 0; round < Rounds; round++)
                {
                    var bearer = bearers[Interlocked.Increment(ref request) % bearers.Length];
                    foreach (var path in new[] { "/posts/", "/posts/1", $"/users/{userId}" })
                        await SendAsync(client, HttpMethod.Get, path, null, bearer, cancellationToken);
                    // Refused by validation (422), and a vote for a post that cannot exist (404): read, checked, not written.
                    await SendAsync(client, HttpMethod.Post, "/posts/", "{}", bearer, cancellationToken);
                    await SendAsync(client, HttpMethod.Post, "/vote/", """{"post_id": 0, "dir": 1}""", bearer, cancellationToken);
                }
            });
            await CompiledAsync(cancellationToken);
            // Twice in a row: a wave can fall between two of the runtime's steps.
            quietWaves = JitInfo.GetCompiledMethodCount() - compiledBefore < Settled ? quietWaves + 1 : 0;
            if (quietWaves == 2)
                break;
        }
        return waves;
    }

    static async Task SendAsync(HttpClient client, HttpMethod method, string path, string? json, AuthenticationHeaderValue bearer, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = bearer;
        (await client.SendAsync(request, cancellationToken)).Dispose();
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

}
