using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
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
public sealed class KnownUsers(ApiMetrics metrics) : IDisposable
{
    /// <summary>How old a cached profile may be, at worst, with respect to writes made elsewhere.</summary>
    public static readonly TimeSpan StalenessBound = TimeSpan.FromSeconds(1);

    // Bounded: past the limit the cache evicts, and a user not cached simply costs one lookup.
    readonly MemoryCache _users = new(new MemoryCacheOptions { SizeLimit = 100_000 });
    static readonly MemoryCacheEntryOptions Entry = new() { Size = 1, AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(5) };

    static readonly Func<AppDbContext, int, CancellationToken, Task<KnownUser?>> UserById =
        EF.CompileAsyncQuery((AppDbContext db, int id, CancellationToken _) =>
            db.Users.AsNoTracking().Where(u => u.Id == id)
                .Select(u => new KnownUser(new UserResponse(u.Id, u.Email, u.CreatedAt), u.TokensValidAfter)).FirstOrDefault());

    long _forgets;
    long _heardUpTo; // Stopwatch timestamp: every change committed before it has been heard; 0 when unknown

    /// <summary>Whether every change committed more than <see cref="StalenessBound"/> ago has been heard.</summary>
    public bool Exact => Volatile.Read(ref _heardUpTo) is var heard and not 0 && Stopwatch.GetElapsedTime(heard) < StalenessBound;

    /// <summary>
    /// The user, or null when no such user exists. The request's database context is
    /// only taken from <paramref name="requestServices"/> when the cache cannot answer.
    /// </summary>
    public async ValueTask<KnownUser?> FindAsync(int id, IServiceProvider requestServices, CancellationToken cancellationToken)
    {
        var exact = Exact;
        if (exact && _users.TryGetValue(id, out KnownUser? known))
        {
            metrics.UserLookup(ApiMetrics.CacheLookup.Hit);
            return known;
        }
        metrics.UserLookup(exact ? ApiMetrics.CacheLookup.Miss : ApiMetrics.CacheLookup.Bypassed);

        var forgetsBefore = Interlocked.Read(ref _forgets);
        var user = await UserById(requestServices.GetRequiredService<AppDbContext>(), id, cancellationToken);

        // Not kept if a change was announced meanwhile: it may have been this user's.
        if (user is not null && Exact && Interlocked.Read(ref _forgets) == forgetsBefore)
            _users.Set(id, user, Entry);
        return user;
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
