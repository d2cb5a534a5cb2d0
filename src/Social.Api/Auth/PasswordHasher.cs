using System.Threading.RateLimiting;
using BCrypt.Net;
using Social.Api.Infrastructure;

namespace Social.Api.Auth;

/// <summary>
/// Standard bcrypt (<c>$2b$</c>) through BCrypt.Net-Next, as the original's passlib makes and
/// checks it, so its users keep their passwords. At most HASHING_CONCURRENCY hashes run at once (a
/// few more may queue): a login flood then costs a bounded share of the CPU and the rest is turned
/// away with 429.
/// </summary>
public sealed class PasswordHasher : IDisposable
{
    readonly int _cost, _concurrency;
    readonly ConcurrencyLimiter _slots;
    readonly Lazy<string> _decoy;

    public PasswordHasher(Settings settings)
    {
        var passwords = settings.Passwords;
        _cost = passwords.BcryptCost;
        _concurrency = passwords.HashingConcurrency;
        _slots = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = passwords.HashingConcurrency,
            QueueLimit = passwords.HashingQueue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        _decoy = new(() => Hash(Guid.NewGuid().ToString(), _cost));
    }

    /// <summary>Hashes waiting for a slot.</summary>
    public long Queued => _slots.GetStatistics()?.CurrentQueuedCount ?? 0;

    /// <summary>Hashes running now.</summary>
    public long Active => _concurrency - (_slots.GetStatistics()?.CurrentAvailablePermits ?? _concurrency);

    public Task<string> HashAsync(string password, CancellationToken cancellationToken) =>
        WithSlotAsync(() => Hash(password, _cost), cancellationToken);

    /// <summary>
    /// Checks a password against a stored hash. With no hash (unknown or locked account) it does
    /// the same bcrypt work against a decoy, so the response time does not reveal either.
    /// </summary>
    public Task<bool> VerifyAsync(string password, string? hash, CancellationToken cancellationToken) =>
        WithSlotAsync(() => Verify(password, hash ?? _decoy.Value) && hash is not null, cancellationToken);

    /// <summary>The library's standard API, not its "enhanced" pre-hashing mode, which plain bcrypt cannot verify.</summary>
    public static string Hash(string password, int cost) =>
        BCrypt.Net.BCrypt.HashPassword(password, BCrypt.Net.BCrypt.GenerateSalt(cost, 'b'));

    public static bool Verify(string password, string hash)
    {
        try
        {
            return BCrypt.Net.BCrypt.Verify(password, hash);
        }
        catch (Exception e) when (e is SaltParseException or ArgumentException)
        {
            return false; // not a bcrypt hash (an imported or damaged row): no password matches it
        }
    }

    // A hash takes a core for a quarter of a second: it runs on a thread of its own, so the
    // thread pool stays free to serve every other request meanwhile.
    async Task<T> WithSlotAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        using var lease = await _slots.AcquireAsync(1, cancellationToken);
        if (!lease.IsAcquired)
            throw new CapacityExceededException();
        return await Task.Factory.StartNew(work, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    public void Dispose() => _slots.Dispose();
}
