using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Social.Api.Infrastructure;
using Social.Api.Observability;

namespace Social.Api.Data;

/// <summary>Whether the schema is known to be up to date, so requests may use it.</summary>
public sealed class DatabaseState
{
    volatile bool _migrated;

    public bool Migrated => _migrated;

    public void MarkMigrated() => _migrated = true;
}

/// <summary>
/// Applies migrations in the background, retrying while PostgreSQL is unreachable, so the
/// process starts (and reports itself not ready) instead of crashing when the database is down.
/// </summary>
sealed class StartupMigrator(
    IServiceProvider services, DatabaseState state, Settings settings, IHostApplicationLifetime lifetime, ILogger<StartupMigrator> logger)
    : BackgroundService
{
    // Short, so service resumes within seconds of PostgreSQL coming back.
    static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!settings.Database.MigrateOnStartup)
        {
            state.MarkMigrated();
            return;
        }

        var delay = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await services.MigrateDatabaseAsync(stoppingToken);
                state.MarkMigrated();
                logger.LogInformation("Database schema is up to date");
                return;
            }
            catch (Exception e) when (DatabaseErrors.IsUnavailable(e) && !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Database unavailable ({Reason}); retrying migrations in {Delay} s", e.Message, delay.TotalSeconds);
                await Task.Delay(delay, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
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
        }
    }
}

/// <summary>/health/ready: the schema is migrated and PostgreSQL answers now.</summary>
sealed class DatabaseHealthCheck(DatabaseState state, NpgsqlDataSource dataSource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!state.Migrated)
            return HealthCheckResult.Unhealthy("The database schema is not migrated yet.");
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
