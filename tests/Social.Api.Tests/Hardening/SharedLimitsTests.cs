using System.Net;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.ApiClient;

namespace Social.Api.Tests.Hardening;

/// <summary>
/// REDIS_URL: the per-address limits (failed logins, registrations) hold across instances through
/// Debian's redis-server; without Redis, or while it is down, each instance counts for itself,
/// and nothing a client sees changes but that scope.
/// </summary>
public sealed class SharedLimitsTests(TestEnvironment env)
{
    const int LoginLimit = 3, RegisterLimit = 2;

    [Fact]
    public async Task FailedLoginsAndRegistrationsAreCountedAcrossInstances()
    {
        RedisProcess.Require(nameof(SharedLimitsTests));
        using var redis = await RedisProcess.StartAsync();
        await using var first = await InstanceAsync(redis.Url);
        await using var second = await InstanceAsync(redis.Url);
        const string address = "192.0.2.10";

        Assert.Equal(403, await LoginAsync(first, address));
        Assert.Equal(403, await LoginAsync(second, address));
        Assert.Equal(403, await LoginAsync(first, address));
        // Three failures in all, none of the instances saw three.
        Assert.Equal(429, await LoginAsync(second, address));
        Assert.Equal(429, await LoginAsync(first, address));
        Assert.Equal(403, await LoginAsync(second, "192.0.2.11")); // another address has its own count

        Assert.Equal(201, await RegisterAsync(first, address));
        Assert.Equal(201, await RegisterAsync(second, address));
        Assert.Equal(429, await RegisterAsync(first, address));
        Assert.Equal(429, await RegisterAsync(second, address));
    }

    [Fact]
    public async Task WithoutRedisEachInstanceCountsForItself()
    {
        await using var first = await InstanceAsync(redisUrl: null);
        await using var second = await InstanceAsync(redisUrl: null);
        const string address = "192.0.2.20";

        for (var i = 0; i < LoginLimit; i++)
            Assert.Equal(403, await LoginAsync(first, address));
        Assert.Equal(429, await LoginAsync(first, address));
        Assert.Equal(403, await LoginAsync(second, address));
    }

    [Fact]
    public async Task WithRedisDownTheInstancesKeepServingCountEachForThemselvesAndShareAgainOnceItIsBack()
    {
        RedisProcess.Require(nameof(SharedLimitsTests));
        using var redis = await RedisProcess.StartAsync();
        await using var first = await InstanceAsync(redis.Url);
        await using var second = await InstanceAsync(redis.Url);
        const string address = "192.0.2.30";
        Assert.Equal(403, await LoginAsync(first, address));
        Assert.Equal(403, await LoginAsync(first, address));

        redis.Kill();

        // Still answered, never a 500: the first instance remembers its own two failures, the
        // second has none of its own.
        Assert.Equal(403, await LoginAsync(first, address));
        Assert.Equal(429, await LoginAsync(first, address));
        Assert.Equal(403, await LoginAsync(second, address));
        Assert.Equal(201, await RegisterAsync(second, address));
        using (var client = second.CreateClient())
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
        Assert.Contains(second.Logs.Lines, line => line.StartsWith("Warning", StringComparison.Ordinal)
            && line.Contains("Redis is unreachable", StringComparison.Ordinal));

        // Back (empty, as after a crash without persistence): shared again.
        await redis.RestartAsync();
        await UsingRedisAgainAsync(first);
        await UsingRedisAgainAsync(second);
        const string later = "192.0.2.32";
        Assert.Equal(403, await LoginAsync(first, later));
        Assert.Equal(403, await LoginAsync(second, later));
        Assert.Equal(403, await LoginAsync(first, later));
        Assert.Equal(429, await LoginAsync(second, later));
    }

    [Fact]
    public async Task WithRedisHungTheInstancesAnswerAfterItsTimeoutAndCountForThemselves()
    {
        RedisProcess.Require(nameof(SharedLimitsTests));
        using var redis = await RedisProcess.StartAsync();
        await using var api = await InstanceAsync(redis.Url);
        const string address = "192.0.2.40";
        Assert.Equal(403, await LoginAsync(api, address));

        redis.Pause();
        try
        {
            // Connected but silent: each call times out, and the answer is the same as without Redis.
            Assert.Equal(403, await LoginAsync(api, address));
            Assert.Equal(403, await LoginAsync(api, address));
            Assert.Equal(429, await LoginAsync(api, address));
            Assert.Equal(201, await RegisterAsync(api, address));
            Assert.Contains(api.Logs.Lines, line => line.StartsWith("Warning", StringComparison.Ordinal)
                && line.Contains("Redis is unreachable", StringComparison.Ordinal));
        }
        finally
        {
            redis.Resume();
        }
    }

    // The client reconnects in the background; an instance says so at its first limit check after that.
    static Task UsingRedisAgainAsync(ApiFactory api) => Eventually.HoldsAsync(async () =>
    {
        await LoginAsync(api, "192.0.2.99");
        return api.Logs.Lines.Any(line => line.Contains("Redis is reachable again", StringComparison.Ordinal));
    }, "the instance using Redis again", TimeSpan.FromSeconds(30));

    Task<ApiFactory> InstanceAsync(string? redisUrl) => ApiFactory.CreateAsync(env.Cluster, new Dictionary<string, string?>
    {
        ["LOGIN_IP_LIMIT"] = $"{LoginLimit}/min",
        ["REGISTER_IP_LIMIT"] = $"{RegisterLimit}/hour",
        ["REDIS_URL"] = redisUrl,
    });

    static Task<int> LoginAsync(ApiFactory api, string address) =>
        SendAsync(api, address, "/login", $"username={UniqueEmail("nobody")}&password=wrong", "application/x-www-form-urlencoded");

    static Task<int> RegisterAsync(ApiFactory api, string address) =>
        SendAsync(api, address, "/users/", $$"""{"email": "{{UniqueEmail("shared")}}", "password": "password123"}""", "application/json");

    static async Task<int> SendAsync(ApiFactory api, string address, string path, string body, string contentType) =>
        (await api.PostFromAsync(address, path, body, contentType)).Response.StatusCode;
}
