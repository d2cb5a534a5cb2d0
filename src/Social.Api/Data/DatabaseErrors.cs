using Npgsql;

namespace Social.Api.Data;

public static class DatabaseErrors
{
    /// <summary>
    /// The database cannot be reached or is not answering in time (down, restarting, failing over,
    /// pool exhausted, command timed out): the client may retry, so it is a 503, not a 500.
    /// </summary>
    public static bool IsUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is PostgresException postgres && IsFailover(postgres.SqlState))
                return true;
            // Transient: a refused or broken connection (socket, end of stream), and the states Npgsql lists.
            if (e is NpgsqlException { IsTransient: true } or TimeoutException || IsNoSuitableHost(e))
                return true;
            // Several hosts: each one's failure (only the first is the InnerException).
            if (e is AggregateException { InnerExceptions.Count: > 0 } all)
                return all.InnerExceptions.All(IsUnavailable);
        }
        return false;
    }

    /// <summary>
    /// What a request meets while a primary stops or a standby takes over, whether or not Npgsql
    /// calls it transient: the server shutting down or crashing under it, refusing connections
    /// while it starts or recovers, a connection exception, or a write reaching a server that is
    /// read-only (a standby, or a primary demoted meanwhile).
    /// </summary>
    static bool IsFailover(string sqlState) =>
        sqlState.StartsWith("08", StringComparison.Ordinal)
        || sqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown
            or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.ReadOnlySqlTransaction;

    /// <summary>
    /// A multi-host data source with no host of the kind asked for (no primary while it is down,
    /// the others being standbys, or every host skipped since it last failed): Npgsql says so in
    /// a message only, without an inner exception when it tried no host. FailoverErrorTests
    /// provokes it, so a version of Npgsql that words it otherwise fails there.
    /// </summary>
    static bool IsNoSuitableHost(Exception e) =>
        e is NpgsqlException { InnerException: null or AggregateException } and not PostgresException
        && (e.Message.StartsWith("No suitable host", StringComparison.Ordinal)
            || e.Message.StartsWith("Unable to connect to a suitable host", StringComparison.Ordinal));
}
