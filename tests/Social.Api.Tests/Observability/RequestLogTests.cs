using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.ApiClient;

namespace Social.Api.Tests.Observability;

/// <summary>
/// The access log and the request id, as an operator reads them on the process's standard output:
/// one JSON line per request, the id on the response and on every line of its request, a trusted
/// proxy's id kept, the caller's traceparent continued, and never a secret.
/// </summary>
public sealed class RequestLogTests(TestEnvironment env)
{
    [Fact]
    public async Task EveryResponseCarriesItsRequestIdAndEveryLineOfTheRequestToo()
    {
        var started = await ServiceProcess.StartOnNewDatabaseAsync(env, "reqid");
        using var service = started.Service;
        using var client = new HttpClient { BaseAddress = new Uri(started.Url) };
        client.DefaultRequestHeaders.Add("X-Request-Id", "made-up-by-the-client"); // not a trusted proxy

        var email = UniqueEmail("reqid");
        Assert.Equal(HttpStatusCode.Created, (await client.RegisterAsync(email)).StatusCode);
        var failed = await client.LoginAsync(email, "wrong password");
        var unknownRoute = await client.GetAsync("/nowhere");

        var id = RequestId(failed);
        Assert.NotEqual("made-up-by-the-client", id);
        Assert.NotEqual(id, RequestId(unknownRoute));
        var lines = await LinesOfAsync(service, id);
        Assert.Contains(lines, line => line.GetProperty("Message").GetString()!.StartsWith("Login failed for user", StringComparison.Ordinal));
        var access = Assert.Single(lines, line => line.GetProperty("Category").GetString() == "AccessLog");
        Assert.Equal(403, access.GetProperty("State").GetProperty("StatusCode").GetInt32());
        Assert.DoesNotContain("made-up-by-the-client", service.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheAccessLineNamesRouteStatusDurationBytesClientAndUserButNoSecret()
    {
        var started = await ServiceProcess.StartOnNewDatabaseAsync(env, "access");
        using var service = started.Service;
        const string password = "a-password-that-must-not-be-logged";
        var user = await CreateUserAsync(started.Url, password: password);
        var (client, token) = (user.Client, user.Token);
        using var anonymous = new HttpClient { BaseAddress = new Uri(started.Url) };
        var login = await anonymous.LoginAsync(user.Email, password);
        var created = await client.PostAsJsonAsync("/posts/", new { title = "logged", content = "c" });
        var postId = (await created.JsonAsync())["id"]!.GetValue<int>();
        var userId = (await created.JsonAsync())["owner_id"]!.GetValue<int>();

        var read = await client.GetAsync($"/posts/{postId}");
        var search = await client.GetAsync("/posts/?search=a-query-that-must-not-be-logged");

        var line = (await LinesOfAsync(service, RequestId(read))).Single(l => l.GetProperty("Category").GetString() == "AccessLog").GetProperty("State");
        Assert.Equal("GET", line.GetProperty("Method").GetString());
        Assert.Equal("/posts/{id}", line.GetProperty("Route").GetString());
        Assert.Equal(200, line.GetProperty("StatusCode").GetInt32());
        Assert.True(line.GetProperty("DurationMs").GetDouble() > 0);
        Assert.Equal((await read.Content.ReadAsByteArrayAsync()).Length, line.GetProperty("BytesSent").GetInt64());
        Assert.Equal("127.0.0.1", line.GetProperty("ClientIp").GetString());
        Assert.Equal(userId, line.GetProperty("UserId").GetInt32());

        var searched = (await LinesOfAsync(service, RequestId(search))).Single(l => l.GetProperty("Category").GetString() == "AccessLog").GetProperty("State");
        Assert.Equal("/posts/", searched.GetProperty("Route").GetString());
        var loggedIn = (await LinesOfAsync(service, RequestId(login))).Single(l => l.GetProperty("Category").GetString() == "AccessLog").GetProperty("State");
        Assert.Equal(JsonValueKind.Null, loggedIn.GetProperty("UserId").ValueKind);
        Assert.DoesNotContain(password, service.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(token, service.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Split('.')[2], service.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("a-query-that-must-not-be-logged", service.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATrustedProxysRequestIdAndClientAddressAreKept()
    {
        var started = await ServiceProcess.StartOnNewDatabaseAsync(env, "proxyid", new Dictionary<string, string> { ["TRUSTED_PROXIES"] = "127.0.0.1" });
        using var service = started.Service;
        using var client = new HttpClient { BaseAddress = new Uri(started.Url) };

        using var kept = new HttpRequestMessage(HttpMethod.Get, "/");
        kept.Headers.Add("X-Request-Id", "0f1e2d3c4b5a69788796a5b4c3d2e1f0");
        kept.Headers.Add("X-Forwarded-For", "203.0.113.7");
        var keptResponse = await client.SendAsync(kept);
        using var unsafeId = new HttpRequestMessage(HttpMethod.Get, "/");
        unsafeId.Headers.TryAddWithoutValidation("X-Request-Id", "id with spaces\"and quotes");
        var replaced = await client.SendAsync(unsafeId);

        Assert.Equal("0f1e2d3c4b5a69788796a5b4c3d2e1f0", RequestId(keptResponse));
        var line = Assert.Single(await LinesOfAsync(service, "0f1e2d3c4b5a69788796a5b4c3d2e1f0"));
        Assert.Equal("203.0.113.7", line.GetProperty("State").GetProperty("ClientIp").GetString());
        Assert.Matches("^[0-9a-f]{32}$", RequestId(replaced));
    }

    [Fact]
    public async Task TheCallersTraceparentIsContinued()
    {
        var started = await ServiceProcess.StartOnNewDatabaseAsync(env, "traceparent");
        using var service = started.Service;
        using var client = new HttpClient { BaseAddress = new Uri(started.Url) };

        using var request = new HttpRequestMessage(HttpMethod.Get, "/users/1");
        request.Headers.Add("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        var response = await client.SendAsync(request);

        var line = Assert.Single(await LinesOfAsync(service, RequestId(response)));
        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", Scope(line, "TraceId"));
        Assert.Equal("00f067aa0ba902b7", Scope(line, "ParentId"));
    }

    [Fact]
    public async Task TheAccessLogCanBeTurnedOffAndTheOtherLinesKeepTheRequestId()
    {
        var started = await ServiceProcess.StartOnNewDatabaseAsync(env, "noaccess", new Dictionary<string, string> { ["Logging__LogLevel__AccessLog"] = "None" });
        using var service = started.Service;
        using var client = new HttpClient { BaseAddress = new Uri(started.Url) };

        var failed = await client.LoginAsync(UniqueEmail("nobody"), "wrong");

        var line = Assert.Single(await LinesOfAsync(service, RequestId(failed), accessLogged: false));
        Assert.StartsWith("Login failed from", line.GetProperty("Message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("\"AccessLog\"", service.Stdout, StringComparison.Ordinal);
    }

    static string RequestId(HttpResponseMessage response) => Assert.Single(response.Headers.GetValues("X-Request-Id"));

    /// <summary>The JSON log lines whose scope carries the request id, once its access line (the request's last) is written.</summary>
    static async Task<List<JsonElement>> LinesOfAsync(ServiceProcess service, string requestId, bool accessLogged = true)
    {
        List<JsonElement> Lines() => [.. service.JsonLogLines().Where(line => Scope(line, "RequestId") == requestId)];
        // The console log is written asynchronously.
        await Eventually.HoldsAsync(() => accessLogged ? Lines().Any(l => l.GetProperty("Category").GetString() == "AccessLog") : Lines().Count > 0,
            $"the log lines of request {requestId}");
        return Lines();
    }

    static string? Scope(JsonElement line, string name) =>
        line.TryGetProperty("Scopes", out var scopes)
            ? scopes.EnumerateArray().Select(s => s.TryGetProperty(name, out var value) ? value.GetString() : null).FirstOrDefault(v => v is not null)
            : null;
}
