using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Social.Api.Infrastructure;
using Social.Api.Observability;

namespace Social.Api.Data;

/// <summary>Whether the schema is known to be up to date, so requests may use it, and whether the instance is warmed up.</summary>
public sealed class DatabaseState
{
    volatile bool _migrated, _warmedUp;

    public bool Migrated => _migrated;

    public bool WarmedUp => _warmedUp;

    public void MarkMigrated() => _migrated = true;

    public void MarkWarmedUp() => _warmedUp = true;
}

/// <summary>
/// Applies migrations in the background, then warms the instance up (<see cref="Warmup"/>), both
/// retried while PostgreSQL is unreachable, so the process starts (and reports itself not ready)
/// instead of crashing when the database is down.
/// </summary>
sealed class StartupMigrator(
    IServiceProvider services, DatabaseState state, Settings settings, IHostApplicationLifetime lifetime, ILogger<StartupMigrator> logger)
    : BackgroundService
{
    // Short, so service resumes within seconds of PostgreSQL coming back.
    static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            if (settings.Database.MigrateOnStartup)
            {
                await RetryWhileUnavailableAsync("migrations", services.MigrateDatabaseAsync, stoppingToken);
                logger.LogInformation("Database schema is up to date");
            }
            state.MarkMigrated();
        }
        catch (InvalidConfigurationException e)
        {
            // A database this service must not touch (a foreign schema): say why, and stop.
            logger.LogCritical("{Reason}", e.Message);
            Console.Error.WriteLine($"error: {e.Message}");
            Environment.ExitCode = 2;
            lifetime.StopApplication();
            return;
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // Not a passing outage: serving against an unknown schema would only produce errors.
            logger.LogCritical(e, "Database migration failed; stopping");
            Environment.ExitCode = 1;
            lifetime.StopApplication();
            return;
        }

        try
        {
            var waves = 0;
            await RetryWhileUnavailableAsync("the warm-up", async cancellationToken => waves = await Warmup.RunAsync(services, cancellationToken), stoppingToken);
            logger.LogInformation("Warmed up ({Waves} waves of requests)", waves);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // The warm-up only spares the first requests some latency: serve without it rather than not at all.
            logger.LogWarning(e, "Warm-up failed; serving without it");
        }
        state.MarkWarmedUp();
    }

    async Task RetryWhileUnavailableAsync(string what, Func<CancellationToken, Task> step, CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (true)
        {
            try
            {
                await step(stoppingToken);
                return;
            }
            catch (Exception e) when (DatabaseErrors.IsUnavailable(e) && !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Database unavailable ({Reason}); retrying {What} in {Delay} s", e.Message, what, delay.TotalSeconds);
                await Task.Delay(delay, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
            }
        }
    }
}

/// <summary>/health/ready: the schema is migrated, the instance warmed up, and PostgreSQL answers now.</summary>
sealed class DatabaseHealthCheck(DatabaseState state, NpgsqlDataSource dataSource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!state.Migrated)
            return HealthCheckResult.Unhealthy("The database schema is not migrated yet.");
        if (!state.WarmedUp)
            return HealthCheckResult.Unhealthy("The instance is warming up.");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            await using var command = dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(timeout.Token);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (DatabaseErrors.IsUnavailable(e) || e is OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The database is not answering.");
        }
    }
}

public static class DatabaseReadiness
{
    public static IServiceCollection AddDatabaseReadiness(this IServiceCollection services)
    {
        services.AddSingleton<DatabaseState>();
        services.AddHostedService<StartupMigrator>();
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        return services;
    }

    /// <summary>
    /// <c>/health/live</c> (the process answers) and <c>/health/ready</c> (it can serve: use it to
    /// route traffic); until the first migration finishes every other request is a 503.
    /// </summary>
    public static WebApplication UseDatabaseReadiness(this WebApplication app)
    {
        var state = app.Services.GetRequiredService<DatabaseState>();
        var metrics = app.Services.GetRequiredService<ApiMetrics>();
        // Not async: once migrated, every request passes straight through.
        app.Use((context, next) =>
        {
            if (state.Migrated || context.Request.Path.StartsWithSegments("/health"))
                return next(context);
            metrics.Refused(ApiMetrics.Unavailable.Starting);
            return context.Response.WriteErrorAsync(StatusCodes.Status503ServiceUnavailable, ErrorHandling.Unavailable, TimeSpan.FromSeconds(5));
        });
        return app;
    }

    public static WebApplication MapHealthEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false, ResponseWriter = WriteStatus });
        app.MapHealthChecks("/health/ready", new() { Predicate = check => check.Tags.Contains("ready"), ResponseWriter = WriteStatus });
        return app;
    }

    static Task WriteStatus(HttpContext context, HealthReport report)
    {
        if (report.Status != HealthStatus.Healthy)
            context.Response.Headers.RetryAfter = "5";
        context.Response.Headers.CacheControl = "no-store";
        var status = report.Status.ToString();
        return context.Response.WriteAsJsonAsync(new HealthResponse(status.ToLower(CultureInfo.InvariantCulture)), AppJsonContext.Default.HealthResponse);
    }
}

/// <summary>The body of the health endpoints: <c>{"status": "healthy"}</c>.</summary>
public sealed record HealthResponse(string Status);
