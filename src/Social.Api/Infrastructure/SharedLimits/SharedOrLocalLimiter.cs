using System.Threading.RateLimiting;

namespace Social.Api.Infrastructure.SharedLimits;

/// <summary>
/// One address's limit, counted in Redis (through the RedisRateLimiting limiter given) while Redis
/// answers, else in this instance. The local limiter counts every request too, so it holds the
/// recent history when Redis goes away.
/// </summary>
sealed class SharedOrLocalLimiter(RateLimiter shared, RateLimiter local, RedisLimits state) : RateLimiter
{
    public override TimeSpan? IdleDuration => local.IdleDuration;

    public override RateLimiterStatistics? GetStatistics() => local.GetStatistics();

    // The rate-limiting middleware tries this first and awaits AcquireAsync only when it fails:
    // a Redis round trip cannot be made synchronously, so with Redis there it always fails.
    protected override RateLimitLease AttemptAcquireCore(int permitCount) =>
        state.Database is null ? local.AttemptAcquire(permitCount) : NotYet.Instance;

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        if (state.Database is not null)
        {
            try
            {
                var lease = await shared.AcquireAsync(permitCount, cancellationToken);
                state.Succeeded();
                local.AttemptAcquire(permitCount).Dispose();
                return lease;
            }
            catch (Exception e) when (RedisLimits.IsFailure(e))
            {
                state.Failed(e);
            }
        }
        return local.AttemptAcquire(permitCount);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            shared.Dispose();
            local.Dispose();
        }
        base.Dispose(disposing);
    }

    sealed class NotYet : RateLimitLease
    {
        public static readonly NotYet Instance = new();

        public override bool IsAcquired => false;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}
