using Npgsql;
using Social.Api.Auth;
using Social.Api.Infrastructure;
using Social.Api.Posts;

namespace Social.Api.Data;

/// <summary>
/// Run once before <c>/health/ready</c> first reports 200, so that the first requests a load
/// balancer sends do not pay for opening pool connections or for the first run of each read.
/// </summary>
static class Warmup
{
    /// <summary>Connections opened at once: about what a busy instance holds; the pool opens more on demand.</summary>
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
        // once here): a first page, a search, a deep page, one post, and a user as the token check looks it up.
        await PostSql.ReadAllAsync(PostSql.Page(database, "", 0, 10), cancellationToken);
        await PostSql.ReadAllAsync(PostSql.Page(database, "warm-up", 0, 10), cancellationToken);
        await PostSql.ReadAllAsync(PostSql.Page(database, "", 10_000, 10), cancellationToken);
        await PostSql.ReadAllAsync(PostSql.ById(database, 1), cancellationToken);
        await PostSql.ExistsAsync(database, 1, cancellationToken);
        await using var scope = services.CreateAsyncScope();
        await services.GetRequiredService<KnownUsers>().FindAsync(1, scope.ServiceProvider, cancellationToken);
    }
}
