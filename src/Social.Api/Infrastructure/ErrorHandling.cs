using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.WebUtilities;
using Social.Api.Data;

namespace Social.Api.Infrastructure;

/// <summary>
/// Errors the framework produces itself (unknown route, wrong method, failed body read, crashes)
/// get the same <c>{"detail": "..."}</c> body as the handlers' errors, never a stack trace.
/// </summary>
public static class ErrorHandling
{
    /// <summary>The body of every 503: generic, never the driver's message.</summary>
    public const string Unavailable = "Service temporarily unavailable, try again shortly";

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
        return new ValueTask(response.WriteAsJsonAsync(new ErrorResponse(detail), AppJsonContext.Default.ErrorResponse));
    }
}

/// <summary>
/// Maps exceptions to statuses: client faults the framework detects (body too large, a cut
/// connection) keep their 4xx; an unreachable database is a 503 the client may retry;
/// anything else is a 500 with a generic body, logged with its details.
/// </summary>
sealed class ExceptionToStatus(IProblemDetailsService problems, ILogger<ExceptionToStatus> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, detail) = exception switch
        {
            BadHttpRequestException bad => (bad.StatusCode, bad.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? "Request body too large"
                : "There was an error parsing the body"),
            JsonException => (StatusCodes.Status400BadRequest, "There was an error parsing the body"),
            CapacityExceededException => (StatusCodes.Status429TooManyRequests, "Too many requests"),
            _ when DatabaseErrors.IsUnavailable(exception) => (StatusCodes.Status503ServiceUnavailable, ErrorHandling.Unavailable),
            _ => (StatusCodes.Status500InternalServerError, "Internal Server Error"),
        };

        switch (status)
        {
            case StatusCodes.Status503ServiceUnavailable:
                logger.LogWarning("Database unavailable, answered 503: {Reason}", exception.GetBaseException().Message);
                context.Response.Headers.RetryAfter = "5";
                break;
            case StatusCodes.Status429TooManyRequests:
                logger.LogWarning("Password hashing at capacity, answered 429");
                context.Response.Headers.RetryAfter = "1";
                break;
            case >= 500:
                logger.LogError(exception, "Request failed with {Status}", status);
                break;
        }

        context.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = status, Detail = detail },
        });
    }
}
