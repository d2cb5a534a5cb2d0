using System.Net;
using System.Text.Json;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.ApiClient;

namespace Social.Api.Tests.Deployment;

/// <summary>
/// deploy/nginx/social-api.conf in front of the service, as Debian's nginx runs it: the service
/// sees the real client's address, in its log and in its per-address limits, never nginx's, and
/// an X-Forwarded-For the client makes up changes nothing. Clients connect from other loopback
/// addresses (127.0.0.5, 127.0.0.6) so that they differ from nginx's (127.0.0.1).
/// </summary>
public sealed class NginxTests(TestEnvironment env)
{
    [Fact]
    public async Task TheServiceSeesTheRealClientWhateverForwardedForItSends()
    {
        NginxProcess.Require("the nginx check");
        var started = await ServiceProcess.StartOnNewDatabaseAsync(env, "nginx", new Dictionary<string, string>
        {
            ["TRUSTED_PROXIES"] = "127.0.0.1",
            ["LOGIN_IP_LIMIT"] = "3/min",
        });
        using var service = started.Service;
        await using var nginx = await NginxProcess.StartAsync(new Uri(started.Url).Port);

        using var alice = NginxProcess.ClientFrom("127.0.0.5", nginx.Url);
        alice.DefaultRequestHeaders.Add("X-Forwarded-For", "10.9.9.9");
        using var bob = NginxProcess.ClientFrom("127.0.0.6", nginx.Url);
        bob.DefaultRequestHeaders.Add("X-Forwarded-For", "127.0.0.5"); // claims to be alice

        for (var attempt = 0; attempt < 3; attempt++)
            Assert.Equal(HttpStatusCode.Forbidden, (await alice.LoginAsync(UniqueEmail("nobody"), "wrong")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await alice.LoginAsync(UniqueEmail("nobody"), "wrong")).StatusCode);
        // Bob's failures are his own, whatever he claims.
        var bobs = await bob.LoginAsync(UniqueEmail("nobody"), "wrong");
        Assert.Equal(HttpStatusCode.Forbidden, bobs.StatusCode);

        // The log is written asynchronously: bob's line is the last one.
        await Eventually.HoldsAsync(() => service.Stdout.Contains("Login failed from 127.0.0.6", StringComparison.Ordinal), "bob's failed login in the log");
        Assert.Contains("Login failed from 127.0.0.5", service.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("10.9.9.9", service.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Login failed from 127.0.0.1", service.Stdout, StringComparison.Ordinal);
        // nginx logged the same addresses (its first lines are the readiness probe's, from 127.0.0.1).
        var logins = nginx.AccessLog.Where(line => line.Contains("\"POST /login ", StringComparison.Ordinal)).ToList();
        Assert.Equal(5, logins.Count);
        Assert.All(logins, line => Assert.Matches(@"^127\.0\.0\.[56] ", line));

        // The service's access log: the real clients, and nginx's request id, which it kept and returned.
        await Eventually.HoldsAsync(() => LoginAccessLines(service).Count == 5, "five access lines for the logins");
        var accessLines = LoginAccessLines(service);
        Assert.Equal(["127.0.0.5", "127.0.0.5", "127.0.0.5", "127.0.0.5", "127.0.0.6"],
            accessLines.Select(line => line.GetProperty("State").GetProperty("ClientIp").GetString()).Order(StringComparer.Ordinal));
        var requestId = Assert.Single(bobs.Headers.GetValues("X-Request-Id"));
        Assert.Contains(logins, line => line.EndsWith($" request_id={requestId}", StringComparison.Ordinal));
        Assert.Contains(accessLines, line => line.GetProperty("Scopes").EnumerateArray()
            .Any(scope => scope.TryGetProperty("RequestId", out var id) && id.GetString() == requestId));
    }

    static List<JsonElement> LoginAccessLines(ServiceProcess service) =>
        [.. service.AccessLogLines().Where(line => line.GetProperty("State").GetProperty("Route").GetString() == "/login")];
}
