using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.ApiClient;

namespace Social.Api.Tests.Hardening;

/// <summary>T06, T07, T12, T46: per-client-IP throttling of login and registration.</summary>
public sealed class ThrottlingTests(TestEnvironment env) : IAsyncLifetime
{
    const int LoginLimit = 5, RegisterLimit = 3;
    ApiFactory _api = null!;

    public async ValueTask InitializeAsync() => _api = await ApiFactory.CreateAsync(env.Cluster, new Dictionary<string, string?>
    {
        ["LOGIN_IP_LIMIT"] = $"{LoginLimit}/min",
        ["REGISTER_IP_LIMIT"] = $"{RegisterLimit}/min",
        ["TRUSTED_PROXIES"] = "10.0.0.1",
    });

    public ValueTask DisposeAsync() => _api.DisposeAsync();

    // Through the server directly, to choose the client's address.
    async Task<HttpContext> SendFromAsync(string ip, string path, string body, string contentType, string? forwardedFor = null) =>
        await _api.Server.SendAsync(c =>
        {
            c.Connection.RemoteIpAddress = IPAddress.Parse(ip);
            c.Request.Method = "POST";
            c.Request.Path = path;
            c.Request.ContentType = contentType;
            var bytes = Encoding.UTF8.GetBytes(body);
            c.Request.Body = new MemoryStream(bytes);
            c.Request.ContentLength = bytes.Length;
            if (forwardedFor is not null)
                c.Request.Headers["X-Forwarded-For"] = forwardedFor;
        });

    Task<HttpContext> LoginFromAsync(string ip, string? forwardedFor = null) =>
        SendFromAsync(ip, "/login", $"username={Uri.EscapeDataString(UniqueEmail())}&password=x", "application/x-www-form-urlencoded", forwardedFor);

    static async Task<int[]> StatusesAsync(int count, Func<Task<HttpContext>> send)
    {
        var statuses = new int[count];
        for (var i = 0; i < count; i++)
            statuses[i] = (await send()).Response.StatusCode;
        return statuses;
    }

    [Fact]
    public async Task LoginsBeyondTheLimitAre429WithRetryAfterAndAJsonDetail()
    {
        var statuses = await StatusesAsync(LoginLimit, () => LoginFromAsync("192.0.2.10"));
        var throttled = await LoginFromAsync("192.0.2.10");

        Assert.All(statuses, s => Assert.Equal(StatusCodes.Status403Forbidden, s));
        Assert.Equal(StatusCodes.Status429TooManyRequests, throttled.Response.StatusCode);
        Assert.True(int.Parse(throttled.Response.Headers.RetryAfter.ToString(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        var body = JsonNode.Parse(await new StreamReader(throttled.Response.Body).ReadToEndAsync())!;
        Assert.Equal("Too many requests", body["detail"]!.GetValue<string>());
        Assert.Equal(StatusCodes.Status403Forbidden, (await LoginFromAsync("192.0.2.11")).Response.StatusCode);
        Assert.Contains(_api.Logs.Lines, l => l.Contains("Throttled POST /login from 192.0.2.10", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RegistrationsBeyondTheLimitAre429()
    {
        Task<HttpContext> Register() => SendFromAsync("192.0.2.20", "/users/", $$"""{"email":"{{UniqueEmail()}}","password":"x"}""", "application/json");

        var statuses = await StatusesAsync(RegisterLimit + 1, Register);

        Assert.Equal([201, 201, 201, 429], statuses);
    }

    [Fact]
    public async Task ASpoofedForwardedForFromAnUntrustedClientDoesNotEscapeTheLimit()
    {
        var n = 0;
        var statuses = await StatusesAsync(LoginLimit + 1, () => LoginFromAsync("192.0.2.30", $"198.51.100.{++n}"));

        Assert.Equal(StatusCodes.Status429TooManyRequests, statuses[^1]);
    }

    [Fact]
    public async Task BehindATrustedProxyEachForwardedClientHasItsOwnLimit()
    {
        var first = await StatusesAsync(LoginLimit + 1, () => LoginFromAsync("10.0.0.1", "203.0.113.1"));
        var second = await LoginFromAsync("10.0.0.1", "203.0.113.2");

        Assert.Equal(StatusCodes.Status429TooManyRequests, first[^1]);
        Assert.Equal(StatusCodes.Status403Forbidden, second.Response.StatusCode);
    }
}
