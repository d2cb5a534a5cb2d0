using Npgsql;

namespace Social.Api.Data;

public static class DatabaseErrors
{
    /// <summary>
    /// The database cannot be reached or is not answering in time (down, restarting, pool
    /// exhausted, command timed out): the client may retry, so it is a 503, not a 500.
    /// </summary>
    public static bool IsUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is NpgsqlException { IsTransient: true } or TimeoutException)
                return true;
        }
        return false;
    }
}
