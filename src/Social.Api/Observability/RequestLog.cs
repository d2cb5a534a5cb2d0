using System.Collections;
using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing.Patterns;
using Social.Api.Auth;
using Social.Api.Data;
using Social.Api.Infrastructure;

namespace Social.Api.Observability;

/// <summary>
/// The first middleware: gives the request its id (a trusted proxy's <c>X-Request-Id</c>, or a new
/// one), returns it on the response, puts it on every log line of the request, and ends with one
/// access-log line. The line names the route template, never the path or query string, which may
/// carry what a client should not have put there.
/// </summary>
public sealed partial class RequestLog(RequestDelegate next, ILoggerFactory loggers, Settings settings)
{
    public const string Header = "X-Request-Id";

    /// <summary>The access log's category, without dots so that an environment variable can name it.</summary>
    public const string Category = "AccessLog";

    const int MaxIdLength = 128;

    readonly ILogger _accessLog = loggers.CreateLogger(Category);
    readonly IReadOnlyList<IPNetwork> _trustedProxies = settings.Limits.TrustedProxies;

    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var id = FromTrustedProxy(context) ?? Guid.NewGuid().ToString("N");
        context.TraceIdentifier = id;
        // When the headers go out, not now: the exception handler clears the headers it finds.
        context.Response.OnStarting(static state =>
        {
            var http = (HttpContext)state;
            http.Response.Headers[Header] = http.TraceIdentifier;
            return Task.CompletedTask;
        }, context);

        using var scope = _accessLog.BeginScope(new RequestScope(id));
        if (!_accessLog.IsEnabled(LogLevel.Information) || IsWarmUp(context.Request))
        {
            await next(context); // the access log is off, or this is the instance warming itself up: nothing to count
            return;
        }

        var body = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        var counted = new CountingResponseBody(body);
        context.Features.Set<IHttpResponseBodyFeature>(counted);
        try
        {
            await next(context);
        }
        finally
        {
            context.Features.Set(body);
            LogRequest(_accessLog, context.Request.Method, (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(no route)",
                context.Response.StatusCode, Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 2), counted.BytesSent,
                context.Connection.RemoteIpAddress, context.Features.Get<Caller>()?.Id);
        }
    }

    /// <summary>The proxy's id when the connection comes from TRUSTED_PROXIES and the id is plain text of a sane length.</summary>
    string? FromTrustedProxy(HttpContext context)
    {
        if (_trustedProxies.Count == 0 || context.Connection.RemoteIpAddress is not { } peer)
            return null;
        if (peer.IsIPv4MappedToIPv6)
            peer = peer.MapToIPv4();
        if (!_trustedProxies.Any(network => network.Contains(peer)))
            return null;
        var id = context.Request.Headers[Header];
        return id is [{ Length: > 0 and <= MaxIdLength } value] && value.All(IsIdCharacter) ? value : null;
    }

    // The instance's own warm-up requests, told apart by a value only this process knows.
    static bool IsWarmUp(HttpRequest request) => request.Headers[Warmup.Header] is [var marker] && marker == Warmup.Marker;

    static bool IsIdCharacter(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':' or '+' or '/' or '=';

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "{Method} {Route} answered {StatusCode} in {DurationMs} ms, {BytesSent} bytes, client {ClientIp}, user {UserId}")]
    static partial void LogRequest(ILogger logger, string method, string route, int statusCode, double durationMs, long bytesSent, IPAddress? clientIp, int? userId);

    /// <summary>The request id, as one named value of every log line's scope.</summary>
    sealed class RequestScope(string id) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public int Count => 1;

        public KeyValuePair<string, object?> this[int index] =>
            index == 0 ? new("RequestId", id) : throw new ArgumentOutOfRangeException(nameof(index));

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            yield return this[0];
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => $"RequestId:{id}";
    }
}
