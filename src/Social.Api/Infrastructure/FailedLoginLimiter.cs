using System.Net;
using System.Threading.RateLimiting;
using Social.Api.Infrastructure.SharedLimits;

namespace Social.Api.Infrastructure;

/// <summary>
/// Failed logins per client IP (LOGIN_IP_LIMIT): once an address has used them up, its logins get
/// 429 before any bcrypt work. Successful logins are not counted, so the users of one office or
/// NAT address do not lock each other out; credential stuffing fails, so it is counted. Counted
/// in Redis when REDIS_URL is set (every instance sees every failure), else, or while Redis is
/// unreachable, in this instance.
/// </summary>
public sealed class FailedLoginLimiter : IDisposable
{
    // A sliding window, not a token bucket: a bucket lets through its full burst plus its refill
    // within one period (nearly twice the limit), the window keeps every period close to the limit.
    const int SegmentsPerWindow = 12;

    readonly PartitionedRateLimiter<string> _failures;
    readonly TimeSpan _segment;
    readonly RedisLimits _shared;
    readonly FailureWindow _sharedFailures;

    public FailedLoginLimiter(Settings settings, RedisLimits shared)
    {
        var rate = settings.Limits.LoginPerIp;
        _segment = rate.Period / SegmentsPerWindow;
        _shared = shared;
        _sharedFailures = new FailureWindow(rate, SegmentsPerWindow);
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

    /// <summary>Null while the address may still try (asked without counting anything); else how long it should wait.</summary>
    public async ValueTask<TimeSpan?> RetryAfterAsync(IPAddress? clientIp)
    {
        var address = ClientLimits.Key(clientIp);
        if (_shared.Database is { } redis)
        {
            try
            {
                var full = await _sharedFailures.IsFullAsync(redis, address);
                _shared.Succeeded();
                return full ? _segment : null;
            }
            catch (Exception e) when (RedisLimits.IsFailure(e))
            {
                _shared.Failed(e);
            }
        }

        using var lease = _failures.AttemptAcquire(address, 0);
        if (lease.IsAcquired)
            return null;
        // A sliding window's refusal carries no RetryAfter; no permit comes back before the next segment.
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : _segment;
    }

    /// <summary>
    /// Counts one failed login (unknown e-mail, wrong password or locked account): in Redis when it
    /// is there, and in this instance too, which then has the recent history should Redis go away.
    /// </summary>
    public async ValueTask RecordFailureAsync(IPAddress? clientIp)
    {
        var address = ClientLimits.Key(clientIp);
        _failures.AttemptAcquire(address).Dispose();
        if (_shared.Database is not { } redis)
            return;
        try
        {
            await _sharedFailures.RecordAsync(redis, address);
            _shared.Succeeded();
        }
        catch (Exception e) when (RedisLimits.IsFailure(e))
        {
            _shared.Failed(e);
        }
    }

    public void Dispose() => _failures.Dispose();
}
