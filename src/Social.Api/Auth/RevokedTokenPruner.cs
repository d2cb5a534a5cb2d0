using Npgsql;
using Social.Api.Data;

namespace Social.Api.Auth;

/// <summary>
/// Deletes the revocations of tokens that have expired, from the table and from memory: an expired
/// token is refused by its <c>exp</c> alone, so the table only ever holds the logouts of the last
/// token lifetime. Every instance prunes (the DELETE is idempotent), so none has to be elected.
/// When the memory set had to leave revocations out, it is reloaded once there is room.
/// </summary>
sealed class RevokedTokenPruner(
    RevokedTokens revoked, RevocationSettings settings, NpgsqlDataSource database, TimeProvider time, ILogger<RevokedTokenPruner> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(settings.PruneEvery, time, stoppingToken);
                await PruneAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // stopping
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                // The database is away (or not migrated yet): the next round tries again.
                logger.LogDebug("Pruning revoked tokens failed: {Reason}", e.Message);
            }
        }
    }

    async Task PruneAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var delete = database.Command("DELETE FROM revoked_tokens WHERE expires_at < $1", now.UtcDateTime);
        var deleted = await delete.ExecuteNonQueryAsync(cancellationToken);
        var forgotten = revoked.ForgetExpired(now);
        if (deleted > 0 || forgotten > 0)
            logger.LogDebug("Pruned {Deleted} expired token revocations ({Forgotten} held in memory)", deleted, forgotten);

        if (!revoked.Complete && revoked.HasRoom)
        {
            await using var connection = await database.OpenConnectionAsync(cancellationToken);
            await revoked.LoadAsync(connection, now, cancellationToken);
        }
    }
}
