using System.Threading.RateLimiting;
using Social.Api.Infrastructure;

namespace Social.Api.Auth;

/// <summary>
/// Standard bcrypt (<c>$2b$</c>), as the original's passlib makes and checks it, so its users keep
/// their passwords: the system's C implementation when present, BCrypt.Net-Next otherwise. At
/// most HASHING_CONCURRENCY hashes run at once (a few more may queue): a login flood then costs a
/// bounded share of the CPU and the rest is turned away with 429.
/// </summary>
public sealed class PasswordHasher : IDisposable
{
    readonly int _cost;
    readonly IBcrypt _bcrypt;
    readonly ConcurrencyLimiter _slots;
    readonly Lazy<string> _decoy;

    public PasswordHasher(Settings settings, ILogger<PasswordHasher> logger)
    {
        var passwords = settings.Passwords;
        _cost = passwords.BcryptCost;
        _bcrypt = (IBcrypt?)NativeBcrypt.TryCreate() ?? new ManagedBcrypt();
        logger.LogInformation("Password hashing: bcrypt cost {Cost} with {Implementation}", _cost, _bcrypt.Name);
        _slots = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = passwords.HashingConcurrency,
            QueueLimit = passwords.HashingQueue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        _decoy = new(() => HashNow(Guid.NewGuid().ToString()));
    }

    public Task<string> HashAsync(string password, CancellationToken cancellationToken) =>
        WithSlotAsync(() => HashNow(password), cancellationToken);

    /// <summary>
    /// Checks a password against a stored hash. With no hash (unknown or locked account) it does
    /// the same bcrypt work against a decoy, so the response time does not reveal either.
    /// </summary>
    public Task<bool> VerifyAsync(string password, string? hash, CancellationToken cancellationToken) =>
        WithSlotAsync(() =>
        {
            var matches = _bcrypt.Verify(password, hash ?? _decoy.Value);
            return hash is not null && matches;
        }, cancellationToken);

    string HashNow(string password) => _bcrypt.Hash(password, _cost);

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
