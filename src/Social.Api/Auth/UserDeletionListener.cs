using Npgsql;
using Social.Api.Infrastructure;

namespace Social.Api.Auth;

/// <summary>
/// Listens on <c>social_users_deleted</c> (a trigger on users announces every deletion) and drops
/// those users from <see cref="KnownUsers"/>, in every instance at once. On its own connection,
/// outside the pool, reconnecting after database restarts.
/// </summary>
sealed class UserDeletionListener(Settings settings, KnownUsers users, ILogger<UserDeletionListener> logger) : BackgroundService
{
    public const string Channel = "social_users_deleted";

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
                await using var connection = new NpgsqlConnection(connectionString);
                connection.Notification += (_, e) =>
                {
                    if (int.TryParse(e.Payload, out var id))
                        users.Forget(id);
                    else
                        users.ForgetAll();
                };
                await connection.OpenAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                users.Listening();
                while (true)
                    await connection.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException)
            {
                users.NotListening();
                logger.LogWarning("Not listening for deleted users ({Reason}); retrying", e.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
        users.NotListening();
    }
}
