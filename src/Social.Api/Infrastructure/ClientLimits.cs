using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;
using RedisRateLimiting;
using Social.Api.Infrastructure.SharedLimits;
using Social.Api.Observability;

namespace Social.Api.Infrastructure;

/// <summary>
/// Per-client-IP throttling of the endpoints that cost a bcrypt hash and invite abuse (login:
/// credential stuffing, see <see cref="FailedLoginLimiter"/>; registration: fake accounts, a
/// token bucket per address through the framework's limiter). Refusals are 429 with Retry-After
/// and a JSON detail (the framework's default would be a bare 503, which clients read as our outage).
/// With REDIS_URL both are counted in Redis, across instances (<see cref="RedisLimits"/>).
/// </summary>
public static class ClientLimits
{
    public const string Registration = "registration";

    public static IServiceCollection AddClientLimits(this IServiceCollection services, RequestLimits limits)
    {
        services.AddSingleton(provider => new RedisLimits(RedisLimits.Connect(limits.Redis), provider.GetRequiredService<ILogger<RedisLimits>>()));
        services.AddSingleton<FailedLoginLimiter>();
        services.AddRateLimiter(options =>
        {
            options.AddPolicy(Registration, http => limits.Redis is null
                ? PerClientIp(http, limits.RegisterPerIp)
                : SharedPerClientIp(http, limits.RegisterPerIp, http.RequestServices.GetRequiredService<RedisLimits>()));
            options.OnRejected = async (context, cancellationToken) =>
            {
                var http = context.HttpContext;
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                LogThrottled(http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ClientLimits)), http);
                http.RequestServices.GetRequiredService<ApiMetrics>().Throttled(ApiMetrics.Limit.Registration);
                await http.Response.WriteErrorAsync(StatusCodes.Status429TooManyRequests, ErrorHandling.TooManyRequests, retryAfter, cancellationToken);
            };
        });

        // X-Forwarded-For is believed only from the configured proxies; with none configured the
        // middleware is not used at all (given no known proxies it would trust every sender).
        services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var network in limits.TrustedProxies)
                options.KnownIPNetworks.Add(network);
        });
        return services;
    }

    public static WebApplication UseTrustedProxies(this WebApplication app)
    {
        if (app.Services.GetRequiredService<Settings>().Limits.TrustedProxies.Count > 0)
            app.UseForwardedHeaders();
        return app;
    }

    /// <summary>The partition of a client address in every per-address limit.</summary>
    public static string Key(IPAddress? clientIp) => clientIp?.ToString() ?? "unknown";

    /// <summary>One warning per refused request, with the address it was counted against.</summary>
    public static void LogThrottled(ILogger logger, HttpContext http) =>
        logger.LogWarning("Throttled {Method} {Path} from {ClientIp}", http.Request.Method, http.Request.Path.Value, http.Connection.RemoteIpAddress);

    static RateLimitPartition<string> PerClientIp(HttpContext http, RateLimit rate) =>
        RateLimitPartition.GetTokenBucketLimiter(Key(http.Connection.RemoteIpAddress), _ => TokenBucket(rate));

    // The same bucket in Redis (RedisRateLimiting), each address's own.
    static RateLimitPartition<string> SharedPerClientIp(HttpContext http, RateLimit rate, RedisLimits shared) =>
        RateLimitPartition.Get(Key(http.Connection.RemoteIpAddress), address => new SharedOrLocalLimiter(
            new RedisTokenBucketRateLimiter<string>($"social:registrations:{address}", new RedisTokenBucketRateLimiterOptions
            {
                TokenLimit = rate.Count,
                TokensPerPeriod = 1,
                ReplenishmentPeriod = rate.Period / rate.Count,
                ConnectionMultiplexerFactory = () => shared.Connection!,
            }),
            new TokenBucketRateLimiter(TokenBucket(rate)),
            shared));

    static TokenBucketRateLimiterOptions TokenBucket(RateLimit rate) => new()
    {
        TokenLimit = rate.Count,
        TokensPerPeriod = 1,
        ReplenishmentPeriod = rate.Period / rate.Count,
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}
