using StackExchange.Redis;

namespace Social.Api.Infrastructure.SharedLimits;

/// <summary>
/// Failed logins of one address in Redis, as a sliding window of segments (the per-instance limiter's
/// shape): one counter per address and segment, expiring once out of the window; the count is
/// the sum of the window's segments. Segments follow each instance's clock (keep them synchronised).
/// </summary>
sealed class FailureWindow(RateLimit rate, int segments)
{
    readonly long _segmentMs = Math.Max(1, (long)(rate.Period / segments).TotalMilliseconds);

    public async Task<bool> IsFullAsync(IDatabase redis, string address)
    {
        var now = Segment();
        var keys = new RedisKey[segments];
        for (var i = 0; i < segments; i++)
            keys[i] = Key(address, now - i);
        long failures = 0;
        foreach (var value in await redis.StringGetAsync(keys))
            failures += value.HasValue ? (long)value : 0;
        return failures >= rate.Count;
    }

    public async Task RecordAsync(IDatabase redis, string address)
    {
        var key = Key(address, Segment());
        var batch = redis.CreateBatch();
        var increment = batch.StringIncrementAsync(key);
        var expire = batch.KeyExpireAsync(key, TimeSpan.FromMilliseconds(_segmentMs * (segments + 1)));
        batch.Execute();
        await Task.WhenAll(increment, expire);
    }

    long Segment() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / _segmentMs;

    static RedisKey Key(string address, long segment) => $"social:failed-logins:{address}:{segment}";
}
