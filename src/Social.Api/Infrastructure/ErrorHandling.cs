using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.WebUtilities;
using Social.Api.Data;
using Social.Api.Observability;

namespace Social.Api.Infrastructure;

/// <summary>
/// Errors the framework produces itself (unknown route, wrong method, failed body read, crashes)
/// get the same <c>{"detail": "..."}</c> body as the handlers' errors, never a stack trace.
/// </summary>
public static class ErrorHandling
{
    /// <summary>The body of every 503: generic, never the driver's message.</summary>
    public const string Unavailable = "Service temporarily unavailable, try again shortly";

    public const string UnreadableBody = "There was an error parsing the body";
    public const string TooManyRequests = "Too many requests";

    /// <summary>
    /// Writes an error outside a handler's typed results (middleware, limiter, exception handler):
    /// the status, a <c>Retry-After</c> when the client may retry, and <c>{"detail": "..."}</c>.
    /// </summary>
    public static Task WriteErrorAsync(this HttpResponse response, int status, string detail, TimeSpan? retryAfter = null, CancellationToken cancellationToken = default)
    {
        response.StatusCode = status;
        if (retryAfter is { } wait)
            response.SetRetryAfter(wait);
        return response.WriteAsJsonAsync(new ErrorResponse(detail), AppJsonContext.Default.ErrorResponse, cancellationToken: cancellationToken);
    }

    /// <summary>Whole seconds, at least one: a client told 0 would retry at once.</summary>
    public static void SetRetryAfter(this HttpResponse response, TimeSpan wait) =>
        response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    public static IServiceCollection AddErrorHandling(this IServiceCollection services)
    {
        // Registered before AddProblemDetails so it is asked before the framework's RFC 7807 writer.
        services.AddSingleton<IProblemDetailsWriter, DetailOnlyProblemWriter>();
        services.AddProblemDetails();
        services.AddExceptionHandler<ExceptionToStatus>();
        return services;
    }

    public static WebApplication UseErrorHandling(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }
}

/// <summary>Writes a ProblemDetails as the original's <c>{"detail": "..."}</c>.</summary>
sealed class DetailOnlyProblemWriter : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var response = context.HttpContext.Response;
        var detail = context.ProblemDetails.Detail
            ?? context.ProblemDetails.Title
            ?? ReasonPhrases.GetReasonPhrase(response.StatusCode);
        return new ValueTask(response.WriteErrorAsync(response.StatusCode, detail));
    }
}

/// <summary>
/// Maps exceptions to statuses: client faults the framework detects (body too large, a cut
/// connection) keep their 4xx; an unreachable database is a 503 the client may retry;
/// anything else is a 500 with a generic body, logged with its details.
/// </summary>
sealed class ExceptionToStatus(ApiMetrics metrics, ILogger<ExceptionToStatus> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, detail, retryAfter) = exception switch
        {
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => (413, "Request body too large", (TimeSpan?)null),
            BadHttpRequestException bad => (bad.StatusCode, ErrorHandling.UnreadableBody, null),
            CapacityExceededException => (StatusCodes.Status429TooManyRequests, ErrorHandling.TooManyRequests, TimeSpan.FromSeconds(1)),
            _ when DatabaseErrors.IsUnavailable(exception) => (StatusCodes.Status503ServiceUnavailable, ErrorHandling.Unavailable, TimeSpan.FromSeconds(5)),
            _ => (StatusCodes.Status500InternalServerError, "Internal Server Error", null),
        };

        switch (status)
        {
            case StatusCodes.Status503ServiceUnavailable:
                logger.LogWarning("Database unavailable, answered 503: {Reason}", exception.GetBaseException().Message);
                metrics.Refused(ApiMetrics.Unavailable.Database);
                break;
            case StatusCodes.Status429TooManyRequests:
                logger.LogWarning("Password hashing at capacity, answered 429");
                metrics.Throttled(ApiMetrics.Limit.Hashing);
                break;
            case >= 500:
                logger.LogError(exception, "Request failed with {Status}", status);
                break;
        }

        await context.Response.WriteErrorAsync(status, detail, retryAfter, cancellationToken);
        return true;
    }
}
