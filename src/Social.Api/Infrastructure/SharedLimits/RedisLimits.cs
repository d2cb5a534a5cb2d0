using StackExchange.Redis;

namespace Social.Api.Infrastructure.SharedLimits;

/// <summary>
/// REDIS_URL: the per-address limits (failed logins, registrations) live in Redis, so every instance
/// counts the same requests. Redis is never the source of truth: while it cannot be reached they are
/// counted per instance, as without REDIS_URL, the log says so once, and readiness is not affected.
/// </summary>
public sealed class RedisLimits(IConnectionMultiplexer? redis, ILogger<RedisLimits> logger) : IDisposable
{
    int _unreachable;

    /// <summary>Redis when it is configured and connected; null: count in this instance.</summary>
    public IDatabase? Database
    {
        get
        {
            if (redis is null)
                return null;
            if (redis.IsConnected)
                return redis.GetDatabase();
            Unreachable("not connected");
            return null;
        }
    }

    public IConnectionMultiplexer? Connection => redis;

    /// <summary>
    /// What a Redis call throws when Redis is down or hung: a timeout is not a RedisException, and
    /// must not become a 500 either.
    /// </summary>
    public static bool IsFailure(Exception e) => e is RedisException or RedisTimeoutException;

    /// <summary>A call to Redis failed: counted in this instance until one succeeds.</summary>
    public void Failed(Exception e) => Unreachable(e.Message);

    public void Succeeded()
    {
        if (Interlocked.Exchange(ref _unreachable, 0) == 1)
            logger.LogInformation("Redis is reachable again; per-address limits are shared by the instances again");
    }

    void Unreachable(string reason)
    {
        if (Interlocked.Exchange(ref _unreachable, 1) == 0)
            logger.LogWarning("Redis is unreachable ({Reason}); per-address limits are counted per instance until it is back", reason);
    }

    /// <summary>Connects in the background: an unreachable Redis neither delays nor stops the start.</summary>
    public static IConnectionMultiplexer? Connect(ConfigurationOptions? options) =>
        options is null ? null : ConnectionMultiplexer.Connect(options);

    public void Dispose() => redis?.Dispose();
}
