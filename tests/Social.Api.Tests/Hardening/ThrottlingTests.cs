using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.ApiClient;

namespace Social.Api.Tests.Hardening;

/// <summary>
/// T06, T07, T12, T46: per-client-IP throttling of failed logins (successful ones are not
/// counted) and of registrations.
/// </summary>
public sealed class ThrottlingTests(TestEnvironment env) : IAsyncLifetime
{
    const int LoginLimit = 5, RegisterLimit = 3, LockoutThreshold = 2;
    const string Password = "right password";
    ApiFactory _api = null!;

    public async ValueTask InitializeAsync() => _api = await ApiFactory.CreateAsync(env.Cluster, new Dictionary<string, string?>
    {
        ["LOGIN_IP_LIMIT"] = $"{LoginLimit}/min",
        ["REGISTER_IP_LIMIT"] = $"{RegisterLimit}/min",
        ["TRUSTED_PROXIES"] = "10.0.0.1",
        ["LOCKOUT_THRESHOLD"] = $"{LockoutThreshold}",
    });

    public ValueTask DisposeAsync() => _api.DisposeAsync();

    Task<HttpContext> SendFromAsync(string ip, string path, string body, string contentType, string? forwardedFor = null) =>
        _api.PostFromAsync(ip, path, body, contentType, forwardedFor);

    /// <summary>A failed login (unknown e-mail) unless an e-mail and its password are given.</summary>
    Task<HttpContext> LoginFromAsync(string ip, string? forwardedFor = null, string? email = null, string password = "x") =>
        SendFromAsync(ip, "/login", $"username={Uri.EscapeDataString(email ?? UniqueEmail())}&password={Uri.EscapeDataString(password)}",
            "application/x-www-form-urlencoded", forwardedFor);

    Task<HttpContext> RegisterFromAsync(string ip, string email) =>
        SendFromAsync(ip, "/users/", $$"""{"email":"{{email}}","password":"{{Password}}"}""", "application/json");

    // Each registered from an address of its own, so the registration limit stays out of the way.
    async Task<string> RegisteredEmailAsync(string ip)
    {
        var email = UniqueEmail("throttle");
        Assert.Equal(StatusCodes.Status201Created, (await RegisterFromAsync(ip, email)).Response.StatusCode);
        return email;
    }

    static async Task<int[]> StatusesAsync(int count, Func<Task<HttpContext>> send)
    {
        var statuses = new int[count];
        for (var i = 0; i < count; i++)
            statuses[i] = (await send()).Response.StatusCode;
        return statuses;
    }

    [Fact]
    public async Task FailedLoginsBeyondTheLimitAre429WithRetryAfterAndAJsonDetail()
    {
        var email = await RegisteredEmailAsync("192.0.2.100");

        var statuses = await StatusesAsync(LoginLimit, () => LoginFromAsync("192.0.2.10"));
        var throttled = await LoginFromAsync("192.0.2.10");
        var rightPassword = await LoginFromAsync("192.0.2.10", email: email, password: Password);

        Assert.All(statuses, s => Assert.Equal(StatusCodes.Status403Forbidden, s));
        Assert.Equal(StatusCodes.Status429TooManyRequests, throttled.Response.StatusCode);
        Assert.True(int.Parse(throttled.Response.Headers.RetryAfter.ToString(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        var body = JsonNode.Parse(await new StreamReader(throttled.Response.Body).ReadToEndAsync())!;
        Assert.Equal("Too many requests", body["detail"]!.GetValue<string>());
        Assert.Equal(StatusCodes.Status429TooManyRequests, rightPassword.Response.StatusCode);
        Assert.Equal(StatusCodes.Status403Forbidden, (await LoginFromAsync("192.0.2.11")).Response.StatusCode);
        Assert.Equal(StatusCodes.Status200OK, (await LoginFromAsync("192.0.2.11", email: email, password: Password)).Response.StatusCode);
        Assert.Contains(_api.Logs.Lines, l => l.Contains("Throttled POST /login from 192.0.2.10", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WrongPasswordsAndALockedAccountCountAsFailures()
    {
        var email = await RegisteredEmailAsync("192.0.2.101");

        // LockoutThreshold wrong passwords, then refusals of the locked account: all counted.
        var statuses = await StatusesAsync(LoginLimit + 1, () => LoginFromAsync("192.0.2.12", email: email, password: "wrong"));

        Assert.Equal([.. Enumerable.Repeat(403, LoginLimit), 429], statuses);
        Assert.Contains(_api.Logs.Lines, l => l.Contains("account locked", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SuccessfulLoginsFromOneAddressAreNotCounted()
    {
        var email = await RegisteredEmailAsync("192.0.2.102");

        var statuses = await StatusesAsync(LoginLimit * 3, () => LoginFromAsync("192.0.2.13", email: email, password: Password));

        Assert.All(statuses, s => Assert.Equal(StatusCodes.Status200OK, s));
    }

    [Fact]
    public async Task RegistrationsBeyondTheLimitAre429()
    {
        Task<HttpContext> Register() => RegisterFromAsync("192.0.2.20", UniqueEmail());

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
