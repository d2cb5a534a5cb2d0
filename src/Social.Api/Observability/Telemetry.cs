using System.Diagnostics;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Social.Api.Infrastructure;

namespace Social.Api.Observability;

/// <summary>
/// OpenTelemetry, collected only for a consumer: metrics when MANAGEMENT_URLS is set (Prometheus
/// scrapes <c>/metrics</c> there) or an OTLP endpoint is configured, traces when an OTLP endpoint
/// is configured, through the standard <c>OTEL_EXPORTER_OTLP_*</c> and <c>OTEL_SERVICE_NAME</c>
/// variables. With neither, nothing is recorded.
/// </summary>
public static class Telemetry
{
    const string AspNetCoreSource = "Microsoft.AspNetCore";

    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder, Settings settings)
    {
        var config = builder.Configuration;
        bool Exports(string signal) => !string.IsNullOrWhiteSpace(config["OTEL_EXPORTER_OTLP_ENDPOINT"])
            || !string.IsNullOrWhiteSpace(config[$"OTEL_EXPORTER_OTLP_{signal}_ENDPOINT"]);
        var scraped = settings.Management.Urls.Count > 0;

        builder.Services.AddSingleton<ApiMetrics>();
        builder.Services.AddSingleton<IncomingTraces>();
        if (!scraped && !Exports("METRICS") && !Exports("TRACES"))
            return builder;

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(config["OTEL_SERVICE_NAME"] ?? "social-api"));
        if (scraped || Exports("METRICS"))
        {
            telemetry.WithMetrics(metrics =>
            {
                metrics.AddAspNetCoreInstrumentation().AddRuntimeInstrumentation().AddNpgsqlInstrumentation().AddMeter(ApiMetrics.MeterName);
                if (scraped)
                    metrics.AddPrometheusExporter();
                if (Exports("METRICS"))
                    metrics.AddOtlpExporter();
            });
        }
        if (Exports("TRACES"))
            telemetry.WithTracing(tracing => tracing.AddAspNetCoreInstrumentation().AddNpgsql().AddOtlpExporter());
        return builder;
    }

    /// <summary>The first middleware, so that every other line of the request carries its id.</summary>
    public static WebApplication UseRequestLog(this WebApplication app)
    {
        // Counters report their zeros from the start, not from their first event: the meter
        // provider listens before the metrics are made.
        app.Services.GetService<MeterProvider>();
        app.Services.GetRequiredService<ApiMetrics>();
        app.Services.GetRequiredService<IncomingTraces>();
        app.UseMiddleware<RequestLog>();
        return app;
    }

    /// <summary>The management addresses answer <c>/metrics</c> and <c>/health/…</c>, and nothing else.</summary>
    public static WebApplication UseManagementAddresses(this WebApplication app)
    {
        var management = app.Services.GetRequiredService<Settings>().Management;
        if (management.Ports.Count == 0)
            return app;
        bool OnManagementPort(HttpContext context) => management.Ports.Contains(context.Connection.LocalPort);
        app.UseOpenTelemetryPrometheusScrapingEndpoint(context => OnManagementPort(context) && context.Request.Path == "/metrics");
        app.Use((context, next) => !OnManagementPort(context) || context.Request.Path.StartsWithSegments("/health")
            ? next(context)
            : context.Response.WriteErrorAsync(StatusCodes.Status404NotFound, "Not Found"));
        return app;
    }

    /// <summary>
    /// Every request gets an activity that continues the caller's W3C <c>traceparent</c>, so log
    /// lines carry its trace id even when no tracer records anything (the framework makes one only
    /// for a listener, and its own request logging is turned off in appsettings.json). Disposed,
    /// and so removed, with the application.
    /// </summary>
    sealed class IncomingTraces : IDisposable
    {
        readonly ActivityListener _listener = new()
        {
            ShouldListenTo = source => source.Name == AspNetCoreSource,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.PropagationData,
        };

        public IncomingTraces() => ActivitySource.AddActivityListener(_listener);

        public void Dispose() => _listener.Dispose();
    }
}
