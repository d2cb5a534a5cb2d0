using Npgsql;
using static Social.Api.Tests.Infrastructure.Sql;

namespace Social.Api.Tests.Infrastructure;

/// <summary>
/// Holds every read of posts behind a lock (on a database of the test's own), so the queries
/// the service sends pile up where they can be counted.
/// </summary>
public sealed class LockedPosts(NpgsqlConnection locker, NpgsqlTransaction transaction, NpgsqlConnection observer) : IAsyncDisposable
{
    public static async Task<LockedPosts> TakeAsync(ApiFactory api)
    {
        var locker = await api.OpenDatabaseAsync();
        var transaction = await locker.BeginTransactionAsync();
        await ExecuteAsync(locker, "LOCK TABLE posts IN ACCESS EXCLUSIVE MODE");
        return new(locker, transaction, await api.OpenDatabaseAsync());
    }

    public Task<long> WaitingQueriesAsync() => CountAsync(observer,
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'social-api' AND wait_event_type = 'Lock'");

    /// <summary>
    /// Returns once <paramref name="count"/> of the service's queries wait for the lock. Throws
    /// when they never do, so that a test cannot pass without the pile-up it is there to create.
    /// </summary>
    public async Task UntilQueriesWaitAsync(int count = 1)
    {
        for (var attempt = 0; attempt < 500; attempt++)
        {
            if (await WaitingQueriesAsync() >= count)
                return;
            await Task.Delay(20);
        }
        throw new TimeoutException($"Fewer than {count} queries waited for the lock on posts within 10 s.");
    }

    public Task ReleaseAsync() => transaction.RollbackAsync();

    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync();
        await locker.DisposeAsync();
        await observer.DisposeAsync();
    }
}
