using Npgsql;
using Social.Api.Auth;
using Social.Api.Infrastructure;
using Social.Api.Posts;

namespace Social.Api.Data;

/// <summary>
/// The database's change announcements, which keep the in-memory caches exact in every instance:
/// <c>social_users_deleted</c> (a trigger on users) drops users from <see cref="KnownUsers"/>;
/// <c>social_posts_changed</c> ends the current <see cref="PageCache"/> generation. That channel
/// carries writes by other programs (a trigger) and this service's own writes, which each instance
/// announces itself, at most once per <see cref="AnnounceEvery"/>: a NOTIFY in every write
/// transaction serializes their commits (measured: votes fell from 6.2k to 2.1k per second), and
/// even one every 20 ms cost about a tenth of the votes; one every 100-200 ms costs nothing measurable.
/// On its own connection, outside the pool, reconnecting after database restarts; while it is
/// down both caches are bypassed.
/// </summary>
sealed class ChangeListener(Settings settings, KnownUsers users, PageCache pages, ILogger<ChangeListener> logger) : BackgroundService
{
    public const string UsersDeleted = "social_users_deleted";
    public const string PostsChanged = "social_posts_changed";
    public static readonly TimeSpan AnnounceEvery = TimeSpan.FromMilliseconds(100);

    // Our own announcements come back to us; the writes they announce are already reflected here.
    readonly string _instance = Guid.NewGuid().ToString("N");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(settings.Database.EffectiveConnectionString())
        {
            Pooling = false,
            ApplicationName = "social-api listener",
            KeepAlive = 30,
        }.ConnectionString;

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(connectionString, stoppingToken);
            }
            catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException)
            {
                NotListening();
                logger.LogWarning("Not listening for changes ({Reason}); retrying", e.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
        NotListening();
    }

    // Both caches follow the channel: used while it is heard, bypassed while it is not.
    void NotListening()
    {
        users.NotListening();
        pages.NotListening();
    }

    // Until the service stops (returns) or the connection fails (throws).
    async Task ListenAsync(string connectionString, CancellationToken stoppingToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        connection.Notification += (_, e) => Received(e.Channel, e.Payload);
        await connection.OpenAsync(stoppingToken);
        await using (var listen = new NpgsqlCommand($"LISTEN {UsersDeleted}; LISTEN {PostsChanged}", connection))
            await listen.ExecuteNonQueryAsync(stoppingToken);
        users.Listening();
        pages.Listening();

        await using var announce = new NpgsqlCommand($"SELECT pg_notify('{PostsChanged}', $1)", connection)
        {
            Parameters = { new() { Value = _instance } },
        };
        try
        {
            while (true)
            {
                await connection.WaitAsync(AnnounceEvery, stoppingToken);
                if (pages.TakeUnannounced())
                    await AnnounceAsync(announce, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the last writes are announced before the connection closes.
            if (pages.TakeUnannounced())
                await AnnounceAsync(announce, CancellationToken.None);
        }
    }

    async Task AnnounceAsync(NpgsqlCommand announce, CancellationToken cancellationToken)
    {
        try
        {
            await announce.ExecuteNonQueryAsync(cancellationToken);
        }
        catch
        {
            pages.ChangedHere(); // still to be announced, on the next connection
            throw;
        }
    }

    void Received(string channel, string payload)
    {
        if (channel == PostsChanged)
        {
            if (payload != _instance)
                pages.Changed();
        }
        else if (int.TryParse(payload, out var id))
            users.Forget(id);
        else
            users.ForgetAll();
    }
}
