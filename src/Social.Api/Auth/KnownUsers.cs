using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Social.Api.Data;
using Social.Api.Users;

namespace Social.Api.Auth;

/// <summary>
/// Users recently seen to exist, with their public profile, so an authenticated request does not
/// need a round trip to check that its token's user still exists. Correct because deletions are
/// announced by the database (<see cref="Data.ChangeListener"/>): while that announcement channel
/// is down the cache is bypassed, and entries expire after a few minutes in any case.
/// </summary>
public sealed class KnownUsers : IDisposable
{
    // Bounded: past the limit the cache evicts, and a user not cached simply costs one lookup.
    readonly MemoryCache _users = new(new MemoryCacheOptions { SizeLimit = 100_000 });
    static readonly MemoryCacheEntryOptions Entry = new() { Size = 1, AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(5) };

    static readonly Func<AppDbContext, int, CancellationToken, Task<UserResponse?>> ProfileById =
        EF.CompileAsyncQuery((AppDbContext db, int id, CancellationToken _) =>
            db.Users.AsNoTracking().Where(u => u.Id == id).Select(u => new UserResponse(u.Id, u.Email, u.CreatedAt)).FirstOrDefault());

    long _forgets;
    volatile bool _listening;

    /// <summary>
    /// The user's profile, or null when no such user exists. The request's database context is
    /// only taken from <paramref name="requestServices"/> when the cache cannot answer.
    /// </summary>
    public async ValueTask<UserResponse?> FindAsync(int id, IServiceProvider requestServices, CancellationToken cancellationToken)
    {
        if (_listening && _users.TryGetValue(id, out UserResponse? known))
            return known;

        var forgetsBefore = Interlocked.Read(ref _forgets);
        var profile = await ProfileById(requestServices.GetRequiredService<AppDbContext>(), id, cancellationToken);

        // Not kept if a deletion was announced meanwhile: it may have been this user's.
        if (profile is not null && _listening && Interlocked.Read(ref _forgets) == forgetsBefore)
            _users.Set(id, profile, Entry);
        return profile;
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

    /// <summary>Deletions are being announced: the cache may be used.</summary>
    public void Listening()
    {
        ForgetAll();
        _listening = true;
    }

    /// <summary>Deletions could go unnoticed: every request asks the database again.</summary>
    public void NotListening()
    {
        _listening = false;
        ForgetAll();
    }

    public void Dispose() => _users.Dispose();
}
