using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using Npgsql;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.ApiClient;

namespace Social.Api.Tests.Faults;

/// <summary>T33, T44, T45: what only the real server (Kestrel, signals) shows.</summary>
public sealed class RealServerTests(TestEnvironment env) : IAsyncLifetime
{
    ServiceProcess _service = null!;
    string _database = null!;
    string _url = null!;
    HttpClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        (_service, _url, _database) = await ServiceProcess.StartOnNewDatabaseAsync(env, "real",
            new Dictionary<string, string> { ["SHUTDOWN_TIMEOUT_SECONDS"] = "20" });
        _client = new HttpClient { BaseAddress = new Uri(_url), Timeout = TimeSpan.FromSeconds(30) };
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        _service.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task BodiesOverTheLimitAre413AndTooManyHeadersAre431()
    {
        var post = await _client.PostAsync("/posts/", RawJson($$"""{"title":"{{new string('x', 2 << 20)}}","content":"c"}"""));
        var login = await _client.PostAsync("/login", new StringContent("username=a&password=" + new string('p', 2 << 20), Encoding.UTF8, "application/x-www-form-urlencoded"));
        var headers = new HttpRequestMessage(HttpMethod.Get, "/");
        for (var i = 0; i < 150; i++)
            headers.Headers.Add($"X-Header-{i}", "1");
        var manyHeaders = await _client.SendAsync(headers);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, post.StatusCode);
        Assert.Equal("Request body too large", await post.DetailAsync());
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, login.StatusCode);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, manyHeaders.StatusCode);
    }

    [Fact]
    public async Task KestrelSendsNoServerHeaderAndLogsAreJsonLines()
    {
        var response = await _client.GetAsync("/");

        Assert.False(response.Headers.Contains("Server"));
        var lines = _service.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith('{'));
        Assert.NotEmpty(lines);
        Assert.All(lines, l => System.Text.Json.JsonDocument.Parse(l).Dispose());
    }

    [Fact]
    public async Task SigtermStopsAcceptingFinishesInFlightRequestsAndExitsZero()
    {
        var email = UniqueEmail();
        var token = await _client.RegisterAndLogInAsync(email);
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        await using var db = await env.Cluster.OpenAsync(_database);
        var transaction = await db.BeginTransactionAsync();
        await using (var lockPosts = new NpgsqlCommand("LOCK TABLE posts IN ACCESS EXCLUSIVE MODE", db, transaction))
            await lockPosts.ExecuteNonQueryAsync();

        var inFlight = _client.PostAsJsonAsync("/posts/", new { title = "written during shutdown", content = "c" });
        await Task.Delay(500);
        _service.Terminate();
        await Task.Delay(500);

        var port = new Uri(_url).Port;
        using (var probe = new TcpClient())
            await Assert.ThrowsAnyAsync<SocketException>(() => probe.ConnectAsync(IPAddress.Loopback, port));
        await transaction.RollbackAsync();

        Assert.Equal(HttpStatusCode.Created, (await inFlight).StatusCode);
        Assert.Equal(0, await _service.ExitCodeAsync(TimeSpan.FromSeconds(25)));
    }
}
