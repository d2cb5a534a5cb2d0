using System.Diagnostics;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;
using Social.Api.Data;
using Social.Api.Observability;
using Social.Api.Users;

namespace Social.Api.Auth;

/// <summary>A user as token checks need them: the public profile, and the instant before which their tokens are refused.</summary>
public sealed record KnownUser(UserResponse Profile, DateTime? TokensValidAfter);

/// <summary>
/// Users recently seen to exist, with their public profile and token not-before instant, so that
/// checking a token's user (and whether a password change revoked it) needs no round trip.
/// Exact because PostgreSQL announces every change and deletion of a user
/// (<see cref="ChangeListener"/>); served only while the listener's latest heartbeat came back
/// within <see cref="StalenessBound"/>, since announcements arrive in commit order before it.
/// </summary>
public sealed class KnownUsers(Reads reads, ApiMetrics metrics) : IDisposable
{
    /// <summary>How old a cached profile may be, at worst, with respect to writes made elsewhere.</summary>
    public static readonly TimeSpan StalenessBound = TimeSpan.FromSeconds(1);

    // Bounded: past the limit the cache evicts, and a user not cached simply costs one lookup.
    readonly MemoryCache _users = new(new MemoryCacheOptions { SizeLimit = 100_000 });
    static readonly MemoryCacheEntryOptions Entry = new() { Size = 1, AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(5) };

    // The profile and the not-before instant; on a standby when there are any (see Reads).
    const string UserById = "SELECT email, created_at, tokens_valid_after FROM users WHERE id = $1";

    long _forgets;
    long _heardUpTo; // Stopwatch timestamp: every change committed before it has been heard; 0 when unknown

    /// <summary>Whether every change committed more than <see cref="StalenessBound"/> ago has been heard.</summary>
    public bool Exact => Volatile.Read(ref _heardUpTo) is var heard and not 0 && Stopwatch.GetElapsedTime(heard) < StalenessBound;

    /// <summary>The user, or null when no such user exists.</summary>
    public async ValueTask<KnownUser?> FindAsync(int id, CancellationToken cancellationToken)
    {
        var exact = Exact;
        if (exact && _users.TryGetValue(id, out KnownUser? known))
        {
            metrics.UserLookup(ApiMetrics.CacheLookup.Hit);
            return known;
        }
        metrics.UserLookup(exact ? ApiMetrics.CacheLookup.Miss : ApiMetrics.CacheLookup.Bypassed);

        var forgetsBefore = Interlocked.Read(ref _forgets);
        var user = await reads.RunAsync((database, cancellationToken) => ReadAsync(database, id, cancellationToken), cancellationToken);

        // Not kept if a change was announced meanwhile: it may have been this user's.
        if (user is not null && Exact && Interlocked.Read(ref _forgets) == forgetsBefore)
            _users.Set(id, user, Entry);
        return user;
    }

    static async Task<KnownUser?> ReadAsync(NpgsqlDataSource database, int id, CancellationToken cancellationToken)
    {
        await using var command = database.Command(UserById, id);
        await using var row = await command.ExecuteReaderAsync(cancellationToken);
        return await row.ReadAsync(cancellationToken)
            ? new KnownUser(new UserResponse(id, row.GetString(0), row.GetDateTime(1)), row.IsDBNull(2) ? null : row.GetDateTime(2))
            : null;
    }

    public void Forget(int id)
    {
        Interlocked.Increment(ref _forgets);
        _users.Remove(id);
    }

    public void ForgetAll()
    {
        Interlocked.Increment(ref _forgets);
        _users.Clear();
    }

    /// <summary>A heartbeat sent at <paramref name="sentAt"/> (a Stopwatch timestamp) came back.</summary>
    public void HeardUpTo(long sentAt)
    {
        var heard = Volatile.Read(ref _heardUpTo);
        while (sentAt > heard && Interlocked.CompareExchange(ref _heardUpTo, sentAt, heard) is var seen && seen != heard)
            heard = seen;
    }

    /// <summary>The time since the last heartbeat that came back was sent; null when none has since listening began.</summary>
    public TimeSpan? SilentFor => Volatile.Read(ref _heardUpTo) is var heard and not 0 ? Stopwatch.GetElapsedTime(heard) : null;

    /// <summary>The listener now hears announcements: lookups begun before it may have missed one, so they are not kept.</summary>
    public void Listening() => Interlocked.Increment(ref _forgets);

    /// <summary>Announcements could go unheard: forget everyone, and read the database until a heartbeat comes back.</summary>
    public void NotListening()
    {
        Volatile.Write(ref _heardUpTo, 0);
        ForgetAll();
    }

    public void Dispose() => _users.Dispose();
}
