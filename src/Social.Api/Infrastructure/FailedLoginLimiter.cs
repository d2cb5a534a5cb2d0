using System.Net;
using System.Threading.RateLimiting;

namespace Social.Api.Infrastructure;

/// <summary>
/// Failed logins per client IP (LOGIN_IP_LIMIT): once an address has used them up, its logins get
/// 429 before any bcrypt work. Successful logins are not counted, so the users of one office or
/// NAT address do not lock each other out; credential stuffing fails, so it is counted.
/// </summary>
public sealed class FailedLoginLimiter : IDisposable
{
    // A sliding window, not a token bucket: a bucket lets through its full burst plus its refill
    // within one period (nearly twice the limit), the window keeps every period close to the limit.
    const int SegmentsPerWindow = 12;

    readonly PartitionedRateLimiter<string> _failures;
    readonly TimeSpan _segment;

    public FailedLoginLimiter(Settings settings)
    {
        var rate = settings.Limits.LoginPerIp;
        _segment = rate.Period / SegmentsPerWindow;
        // The partitioned limiter replenishes the windows and drops the partitions of addresses
        // whose failures have all expired, so its memory follows the addresses failing right now.
        _failures = PartitionedRateLimiter.Create<string, string>(ip => RateLimitPartition.GetSlidingWindowLimiter(ip, _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = rate.Count,
            Window = rate.Period,
            SegmentsPerWindow = SegmentsPerWindow,
            QueueLimit = 0,
        }));
    }

    /// <summary>Null while the address may still try (asked without using a permit); else how long it should wait.</summary>
    public TimeSpan? RetryAfter(IPAddress? clientIp)
    {
        using var lease = _failures.AttemptAcquire(ClientLimits.Key(clientIp), 0);
        if (lease.IsAcquired)
            return null;
        // A sliding window's refusal carries no RetryAfter; no permit comes back before the next segment.
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : _segment;
    }

    /// <summary>Counts one failed login (unknown e-mail, wrong password or locked account).</summary>
    public void RecordFailure(IPAddress? clientIp) => _failures.AttemptAcquire(ClientLimits.Key(clientIp)).Dispose();

    public void Dispose() => _failures.Dispose();
}
