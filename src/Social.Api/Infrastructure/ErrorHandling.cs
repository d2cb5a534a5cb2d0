using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.WebUtilities;
using Npgsql;

namespace Social.Api.Infrastructure;

/// <summary>
/// Errors the framework produces itself (unknown route, wrong method, failed body read, crashes)
/// get the same <c>{"detail": "..."}</c> body as the handlers' errors, never a stack trace.
/// </summary>
public static class ErrorHandling
{
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
            _ when IsDatabaseUnavailable(exception) => (StatusCodes.Status503ServiceUnavailable, "Service temporarily unavailable, try again shortly"),
            _ => (StatusCodes.Status500InternalServerError, "Internal Server Error"),
        };

        if (status >= 500)
            logger.LogError(exception, "Request failed with {Status}", status);
        if (status == StatusCodes.Status503ServiceUnavailable)
            context.Response.Headers.RetryAfter = "5";

        context.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = status, Detail = detail },
        });
    }

    static bool IsDatabaseUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is NpgsqlException { IsTransient: true } or TimeoutException)
                return true;
        }
        return false;
    }
}
