using Npgsql;

namespace Social.Api.Data;

/// <summary>
/// Where the reads that may be served by a hot standby go: the lists of posts, a post, a user
/// (profiles and the token's user). With several database hosts, preferably a standby (Npgsql picks
/// it, falling back to the primary when none is up); with one host, that host, exactly as before.
/// Writes, and the reads that decide a write, stay on the primary (<see cref="NpgsqlDataSource"/>).
/// </summary>
public sealed class Reads(NpgsqlDataSource standbys, NpgsqlDataSource primary)
{
    /// <summary>One host: the same data source for both.</summary>
    public Reads(NpgsqlDataSource only) : this(only, only) { }

    /// <summary>Whether reads prefer standbys (several hosts are configured).</summary>
    public bool PreferStandbys => !ReferenceEquals(standbys, primary);

    /// <summary>What reads open their connections on; warm-up opens some ahead of time.</summary>
    public NpgsqlDataSource Source => standbys;

    /// <summary>
    /// Runs <paramref name="read"/> on a standby, and once more on the primary if the standby could
    /// not answer it: a standby that went down breaks the connections pooled to it (Npgsql marks it
    /// down at the first), and one replaying a conflicting change cancels the query. So a read
    /// fails for a standby only when the primary fails too.
    /// </summary>
    public async Task<T> RunAsync<T>(Func<NpgsqlDataSource, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        if (!PreferStandbys)
            return await read(primary, cancellationToken);
        try
        {
            return await read(standbys, cancellationToken);
        }
        catch (NpgsqlException e) when (CouldNotAnswer(e) && !cancellationToken.IsCancellationRequested)
        {
            return await read(primary, cancellationToken);
        }
    }

    // What makes a request a 503 (DatabaseErrors), but for a timeout: a slow query would only be as slow again.
    static bool CouldNotAnswer(NpgsqlException e) =>
        DatabaseErrors.IsUnavailable(e) && e.InnerException is not TimeoutException;
}
