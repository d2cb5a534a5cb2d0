using System.Net;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.ApiClient;

namespace Social.Api.Tests.Hardening;

/// <summary>T05: repeated failures lock the account for a while, revealing nothing (Keycloak's model).</summary>
public sealed class LockoutTests(TestEnvironment env) : IAsyncLifetime
{
    const int Threshold = 3;
    static readonly TimeSpan LockTime = TimeSpan.FromSeconds(2);
    ApiFactory _api = null!;

    public async ValueTask InitializeAsync() => _api = await ApiFactory.CreateAsync(env.Cluster, new Dictionary<string, string?>
    {
        ["LOCKOUT_THRESHOLD"] = Threshold.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["LOCKOUT_SECONDS"] = LockTime.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    public ValueTask DisposeAsync() => _api.DisposeAsync();

    async Task<(HttpClient Client, string Email)> RegisteredAsync()
    {
        var client = _api.CreateClient();
        var email = UniqueEmail("lock");
        await client.RegisterAsync(email);
        return (client, email);
    }

    static async Task FailAsync(HttpClient client, string email, int times)
    {
        for (var i = 0; i < times; i++)
            Assert.Equal(HttpStatusCode.Forbidden, (await client.LoginAsync(email, $"wrong {i}")).StatusCode);
    }

    [Fact]
    public async Task AfterTheThresholdEvenTheRightPasswordGetsTheUsualRefusalUntilTheLockLifts()
    {
        var (client, email) = await RegisteredAsync();
        var (otherClient, other) = await RegisteredAsync();

        await FailAsync(client, email, Threshold);
        var locked = await client.LoginAsync(email);

        Assert.Equal(HttpStatusCode.Forbidden, locked.StatusCode);
        Assert.Equal("""{"detail":"Invalid Credentials"}""", await locked.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await otherClient.LoginAsync(other)).StatusCode);
        await Task.Delay(LockTime + TimeSpan.FromMilliseconds(500));
        Assert.Equal(HttpStatusCode.OK, (await client.LoginAsync(email)).StatusCode);
        Assert.Contains(_api.Logs.Lines, l => l.Contains("account locked", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ASuccessResetsTheCount()
    {
        var (client, email) = await RegisteredAsync();

        await FailAsync(client, email, Threshold - 1);
        Assert.Equal(HttpStatusCode.OK, (await client.LoginAsync(email)).StatusCode);
        await FailAsync(client, email, Threshold - 1);

        Assert.Equal(HttpStatusCode.OK, (await client.LoginAsync(email)).StatusCode);
    }

    [Fact]
    public async Task FailuresDuringTheLockDoNotExtendIt()
    {
        var (client, email) = await RegisteredAsync();

        await FailAsync(client, email, Threshold);
        await Task.Delay(LockTime / 2);
        await FailAsync(client, email, Threshold);
        await Task.Delay(LockTime / 2 + TimeSpan.FromMilliseconds(500));

        Assert.Equal(HttpStatusCode.OK, (await client.LoginAsync(email)).StatusCode);
    }

    [Fact]
    public async Task ConcurrentFailuresAreAllCounted()
    {
        var (client, email) = await RegisteredAsync();

        await Task.WhenAll(Enumerable.Range(0, Threshold).Select(i => _api.CreateClient().LoginAsync(email, $"wrong {i}")));

        Assert.Equal(HttpStatusCode.Forbidden, (await client.LoginAsync(email)).StatusCode);
    }
}
