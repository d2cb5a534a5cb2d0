using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.ApiClient;

namespace Social.Api.Tests.Observability;

/// <summary>
/// /metrics on the management address only, scraped by Debian's Prometheus: the service's own
/// counters, the framework's HTTP, runtime and connection-pool series are there, and move with the
/// requests that should move them (asked through Prometheus's own query API).
/// </summary>
public sealed class MetricsTests(TestEnvironment env)
{
    [Fact]
    public async Task TheManagementAddressServesMetricsAndHealthButNotTheApi()
    {
        var management = $"http://127.0.0.1:{ServiceProcess.FreePort()}";
        var started = await ServiceProcess.StartOnNewDatabaseAsync(env, "mgmt", new Dictionary<string, string> { ["MANAGEMENT_URLS"] = management });
        using var service = started.Service;
        using var client = new HttpClient();

        var metrics = await client.GetAsync(management + "/metrics");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Contains("social_logins_total{", await metrics.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(management + "/health/ready")).StatusCode);
        var api = await client.GetAsync(management + "/users/1");
        Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
        Assert.Equal("nosniff", Assert.Single(api.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(management + "/")).StatusCode);
        // The public address: the API, and no metrics, whatever Host the client claims.
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(started.Url + "/metrics")).StatusCode);
        using var disguised = new HttpRequestMessage(HttpMethod.Get, started.Url + "/metrics");
        disguised.Headers.Host = new Uri(management).Authority;
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(disguised)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(started.Url + "/")).StatusCode);
    }

    [Fact]
    public async Task WithoutManagementUrlsThereIsNoMetricsEndpoint()
    {
        var started = await ServiceProcess.StartOnNewDatabaseAsync(env, "nomgmt");
        using var service = started.Service;
        using var client = new HttpClient();

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(started.Url + "/metrics")).StatusCode);
    }

    [Theory]
    [InlineData("same-port", "share a port")]
    [InlineData("http://127.0.0.1:0", "MANAGEMENT_URLS")]
    [InlineData("https://127.0.0.1:9464", "MANAGEMENT_URLS")]
    [InlineData("nonsense", "MANAGEMENT_URLS")]
    public async Task AManagementAddressThatCannotWorkStopsTheStart(string managementUrls, string named)
    {
        var port = ServiceProcess.FreePort();
        using var service = ServiceProcess.Start(AppContext.BaseDirectory, new Dictionary<string, string>
        {
            ["DATABASE_URL"] = $"postgresql://postgres:{env.Cluster.Password}@127.0.0.1:{env.Cluster.Port}/postgres",
            ["SECRET_KEY"] = ApiFactory.SecretKey,
            ["MANAGEMENT_URLS"] = managementUrls == "same-port" ? $"http://127.0.0.1:{port}" : managementUrls,
        }, "--urls", $"http://127.0.0.1:{port}");

        Assert.Equal(2, await service.ExitCodeAsync());
        Assert.Contains(named, service.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrometheusScrapesEverySeriesAndTheyMoveWithTheRequests()
    {
        PrometheusProcess.Require("the Prometheus scrape check");
        var management = $"127.0.0.1:{ServiceProcess.FreePort()}";
        var started = await ServiceProcess.StartOnNewDatabaseAsync(env, "scraped", new Dictionary<string, string>
        {
            ["MANAGEMENT_URLS"] = $"http://{management}",
            ["BCRYPT_COST"] = "10",
            ["LOCKOUT_THRESHOLD"] = "2",
            ["LOGIN_IP_LIMIT"] = "5/min",
            ["REGISTER_IP_LIMIT"] = "3/hour",
            ["HASHING_CONCURRENCY"] = "1",
            ["HASHING_QUEUE"] = "2",
        });
        using var service = started.Service;
        // Two more instances on a database that does not answer: one still migrating, one told not to.
        var closedPort = ServiceProcess.FreePort();
        var (starting, startingManagement) = StartWithoutDatabase(closedPort, migrate: true);
        using var startingProcess = starting.Process;
        var (unavailable, unavailableManagement) = StartWithoutDatabase(closedPort, migrate: false);
        using var unavailableProcess = unavailable.Process;
        await using var prometheus = await PrometheusProcess.StartAsync([management, startingManagement, unavailableManagement]);
        await Eventually.HoldsAsync(async () => await prometheus.ValueAsync("count(social_logins_total)") == 15, "Prometheus scraping the three instances", TimeSpan.FromSeconds(60));
        Assert.Equal(0, await prometheus.ValueAsync($"sum(social_logins_total{{instance=\"{management}\"}})"));

        using var client = new HttpClient { BaseAddress = new Uri(started.Url) };
        var alice = await CreateUserAsync(started.Url, UniqueEmail("alice"));
        var bob = await CreateUserAsync(started.Url, UniqueEmail("bob"));
        Assert.Equal(HttpStatusCode.Created, (await client.RegisterAsync(UniqueEmail("carol"))).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.RegisterAsync(UniqueEmail("dave"))).StatusCode);
        var post = await alice.Client.PostAsJsonAsync("/posts/", new { title = "metrics", content = "c" });
        var postId = (await post.JsonAsync())["id"]!.GetValue<int>();
        Assert.Equal(HttpStatusCode.Created, (await bob.Client.PostAsJsonAsync("/vote/", new { post_id = postId, dir = 1 })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await bob.Client.PostAsJsonAsync("/vote/", new { post_id = postId, dir = 0 })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await bob.Client.GetAsync($"/posts/{postId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await bob.Client.LogOutAsync()).StatusCode);
        await HashingUnderPressureAsync(client, bob.Email);
        // Failed logins from this address: two wrong passwords (the second locks alice), a locked
        // account, two unknown ones, then the address is out of failures.
        Assert.Equal(HttpStatusCode.Forbidden, (await client.LoginAsync(alice.Email, "wrong")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.LoginAsync(alice.Email, "wrong")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.LoginAsync(alice.Email)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.LoginAsync(UniqueEmail("nobody"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.LoginAsync(UniqueEmail("nobody"))).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.LoginAsync(UniqueEmail("nobody"))).StatusCode);
        using var other = new HttpClient();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await other.GetAsync($"http://{starting.Url}/users/1")).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await other.GetAsync($"http://{unavailable.Url}/users/1")).StatusCode);

        var on = $"instance=\"{management}\"";
        (string Query, double AtLeast)[] expected =
        [
            ($"social_logins_total{{{on},outcome=\"success\"}}", 3),
            ($"social_logins_total{{{on},outcome=\"wrong_password\"}}", 2),
            ($"social_logins_total{{{on},outcome=\"locked\"}}", 1),
            ($"social_logins_total{{{on},outcome=\"unknown_account\"}}", 2),
            ($"social_logins_total{{{on},outcome=\"throttled\"}}", 1),
            ($"social_registrations_total{{{on}}}", 3),
            ($"social_votes_total{{{on},action=\"cast\"}}", 1),
            ($"social_votes_total{{{on},action=\"removed\"}}", 1),
            ($"social_posts_created_total{{{on}}}", 1),
            ($"social_throttled_total{{{on},limit=\"login\"}}", 1),
            ($"social_throttled_total{{{on},limit=\"registration\"}}", 1),
            ($"social_throttled_total{{{on},limit=\"hashing\"}}", 1),
            ($"social_user_cache_lookups_total{{{on},result=\"miss\"}}", 1),
            ($"social_user_cache_lookups_total{{{on},result=\"hit\"}}", 1),
            ($"social_account_changes_total{{{on},change=\"logged_out\"}}", 1),
            ($"max_over_time(social_password_hashing_queued{{{on}}}[5m])", 1),
            ($"social_unavailable_total{{instance=\"{startingManagement}\",cause=\"starting\"}}", 1),
            ($"social_unavailable_total{{instance=\"{unavailableManagement}\",cause=\"database\"}}", 1),
            // The framework's series: HTTP by route, the connection pool, the runtime.
            ($"sum(http_server_request_duration_seconds_count{{{on},http_route=\"/posts/{{id}}\",http_response_status_code=\"200\"}})", 1),
            ($"sum(db_client_connection_max{{{on}}})", 1),
            ($"sum(db_client_operation_duration_seconds_count{{{on}}})", 1),
            ($"dotnet_gc_heap_total_allocated_bytes_total{{{on}}}", 1),
        ];
        await Eventually.HoldsAsync(async () =>
        {
            foreach (var (query, atLeast) in expected)
            {
                if (await prometheus.ValueAsync(query) is not { } value || value < atLeast)
                    return false;
            }
            return true;
        }, () => "every series at its expected value:\n" + string.Join("\n", expected.Select(e => $"{e.Query} >= {e.AtLeast}: {prometheus.ValueAsync(e.Query).Result}")),
        TimeSpan.FromSeconds(30));
    }

    /// <summary>Four clients logging in at once, for a few seconds, on one hashing slot with two places in its queue.</summary>
    static async Task HashingUnderPressureAsync(HttpClient client, string email)
    {
        var until = Stopwatch.StartNew();
        var refused = 0;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            while (until.Elapsed < TimeSpan.FromSeconds(3) || Volatile.Read(ref refused) == 0)
            {
                var status = (await client.LoginAsync(email)).StatusCode;
                Assert.True(status is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, $"login answered {status}");
                if (status == HttpStatusCode.TooManyRequests)
                    Interlocked.Increment(ref refused);
                if (until.Elapsed > TimeSpan.FromSeconds(30))
                    Assert.Fail("no login was refused for hashing capacity in 30 s");
            }
        }));
    }

    static ((ServiceProcess Process, string Url) Service, string Management) StartWithoutDatabase(int closedPort, bool migrate)
    {
        var address = $"127.0.0.1:{ServiceProcess.FreePort()}";
        var management = $"127.0.0.1:{ServiceProcess.FreePort()}";
        var process = ServiceProcess.Start(AppContext.BaseDirectory, new Dictionary<string, string>
        {
            ["DATABASE_URL"] = $"postgresql://postgres:x@127.0.0.1:{closedPort}/none",
            ["SECRET_KEY"] = ApiFactory.SecretKey,
            ["MIGRATE_ON_STARTUP"] = migrate ? "true" : "false",
            ["MANAGEMENT_URLS"] = $"http://{management}",
        }, "--urls", $"http://{address}");
        return ((process, address), management);
    }
}
