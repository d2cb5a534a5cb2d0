using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Social.Api.Auth;
using Social.Api.Infrastructure;

namespace Social.Api.Data;

/// <summary>
/// Drops changed and deleted users (announced by triggers on <c>users</c>) from
/// <see cref="KnownUsers"/>, adds logged-out tokens (announced by the trigger on
/// <c>revoked_tokens</c>) to <see cref="RevokedTokens"/>, and proves that announcements arrive with
/// a heartbeat sent through the pool. Where LISTEN hears nothing (a transaction-pooling PgBouncer,
/// a connection that died silently) the heartbeats stop, both are bypassed, the log says so once,
/// and it reconnects.
/// </summary>
sealed class ChangeListener(
    Settings settings, NpgsqlDataSource database, KnownUsers users, RevokedTokens revoked, TimeProvider time, ILogger<ChangeListener> logger) : BackgroundService
{
    public const string UsersDeleted = "social_users_deleted", UsersChanged = "social_users_changed";
    public static readonly TimeSpan HeartbeatEvery = TimeSpan.FromMilliseconds(250);

    /// <summary>No heartbeat heard for this long: the connection is given up and opened again.</summary>
    static readonly TimeSpan Silence = TimeSpan.FromSeconds(3);

    readonly string _heartbeat = $"social_heartbeat_{Guid.NewGuid():N}";
    bool _warned;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(stoppingToken);
            }
            catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException && !stoppingToken.IsCancellationRequested)
            {
                NotListening();
                if (!_warned)
                    logger.LogWarning("Not hearing the database's change announcements ({Reason}); users and token revocations are read from the database until they are heard again", e.Message);
                _warned = true;
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // stopping
            }
        }
        NotListening();
    }

    void NotListening()
    {
        users.NotListening();
        revoked.NotListening();
    }

    // Until the service stops or the announcements stop arriving (throws).
    async Task ListenAsync(CancellationToken stoppingToken)
    {
        // A connection of its own, outside the pool, for as long as it hears; on the primary, where
        // the announcements are made (a standby cannot LISTEN).
        var listener = new NpgsqlConnectionStringBuilder(settings.Database.EffectiveConnectionString())
        {
            Pooling = false,
            KeepAlive = 30,
            ApplicationName = "social-api listener", // for operators looking at pg_stat_activity
        };
        if (settings.Database.SeveralHosts)
            listener.TargetSessionAttributes = "primary";
        await using var connection = new NpgsqlConnection(listener.ConnectionString);
        await connection.OpenAsync(stoppingToken);
        connection.Notification += (_, e) => Received(e.Channel, e.Payload);
        await using (var listen = new NpgsqlCommand($"LISTEN {UsersDeleted}; LISTEN {UsersChanged}; LISTEN {RevokedTokens.Announcements}; LISTEN {_heartbeat}", connection))
            await listen.ExecuteNonQueryAsync(stoppingToken);
        users.Listening();
        // After LISTEN and before the first heartbeat: what the load misses is announced, and the
        // heartbeat that makes misses trusted comes after both. Through the pool, so that the
        // listening connection's last statement stays its LISTEN (what operators look for).
        await using (var loading = await database.OpenConnectionAsync(stoppingToken))
            await revoked.LoadAsync(loading, time.GetUtcNow(), stoppingToken);
        var listeningSince = Stopwatch.GetTimestamp();

        while (true)
        {
            await SendHeartbeatAsync(stoppingToken);
            var due = Stopwatch.GetTimestamp() + (long)(HeartbeatEvery.TotalSeconds * Stopwatch.Frequency);
            // Npgsql reads a zero timeout as "wait forever": at least a millisecond.
            while (Stopwatch.GetTimestamp() < due)
                await connection.WaitAsync(Math.Max(1, (int)Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due).TotalMilliseconds), stoppingToken);

            if ((users.SilentFor ?? Stopwatch.GetElapsedTime(listeningSince)) > Silence)
                throw new TimeoutException($"no heartbeat heard for {Silence.TotalSeconds} s");
            if (_warned && users.SilentFor is not null)
            {
                _warned = false;
                logger.LogInformation("Hearing the database's change announcements again");
            }
        }
    }

    // Through the pool, not the listening connection: what comes back has gone the whole way.
    async Task SendHeartbeatAsync(CancellationToken stoppingToken)
    {
        await using var notify = database.CreateCommand("SELECT pg_notify($1, $2)");
        notify.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _heartbeat });
        notify.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture) });
        await notify.ExecuteNonQueryAsync(stoppingToken);
    }

    void Received(string channel, string payload)
    {
        if (channel == _heartbeat)
        {
            if (long.TryParse(payload, CultureInfo.InvariantCulture, out var sentAt))
                users.HeardUpTo(sentAt);
        }
        else if (channel == RevokedTokens.Announcements)
            revoked.Heard(payload);
        else if (int.TryParse(payload, CultureInfo.InvariantCulture, out var id))
            users.Forget(id);
        else
            users.ForgetAll(); // '*': the table was truncated
    }
}
