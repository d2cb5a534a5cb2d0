using System.Net;
using Social.Api.Tests.Infrastructure;

namespace Social.Api.Tests.Hardening;

/// <summary>T47–T49: headers on every answer, nothing internal in bodies, auth events in logs and no secrets.</summary>
public sealed class ResponseHygieneTests(TestEnvironment env) : IAsyncLifetime
{
    ApiFactory _api = null!;

    // A factory of its own, so its log holds only what these tests did.
    public async ValueTask InitializeAsync() => _api = await ApiFactory.CreateAsync(env.Cluster);

    public ValueTask DisposeAsync() => _api.DisposeAsync();

    [Theory]
    [InlineData("/")]
    [InlineData("/nope")]
    [InlineData("/posts/")]
    [InlineData("/users/abc")]
    [InlineData("/health/ready")]
    public async Task EveryResponseSaysNoSniffAndNamesNoServer(string path)
    {
        var response = await _api.CreateClient().GetAsync(path);

        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.False(response.Headers.Contains("Server"));
    }

    [Fact]
    public async Task CredentialsAndProfilesAreNotCached()
    {
        var user = await _api.CreateUserAsync();

        var login = await _api.CreateClient().LoginAsync(user.Email);
        var profile = await _api.CreateClient().GetAsync($"/users/{user.Id}");

        Assert.True(login.Headers.CacheControl!.NoStore);
        Assert.True(profile.Headers.CacheControl!.NoStore);
    }

    [Fact]
    public async Task HealthEndpointsAnswer()
    {
        var client = _api.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("healthy", (await ready.JsonAsync())["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task AuthEventsAreLoggedWithoutPasswordsTokensOrTheKey()
    {
        const string password = "very secret passphrase 42";
        var owner = await _api.CreateUserAsync(password: password);
        var other = await _api.CreateUserAsync(password: password);
        var postId = (await owner.CreatePostAsync())["id"]!.GetValue<int>();
        await _api.CreateClient().LoginAsync(owner.Email, "wrong " + password);
        await _api.CreateClient().LoginAsync(ApiClient.UniqueEmail(), password);
        await other.Client.DeleteAsync($"/posts/{postId}");
        await _api.ClientWithToken("Bearer " + owner.Token + "x").GetAsync("/posts/");

        var logs = _api.Logs.Lines;
        Assert.Contains(logs, l => l.Contains($"Login succeeded for user {owner.Id}", StringComparison.Ordinal));
        Assert.Contains(logs, l => l.Contains($"Login failed for user {owner.Id}", StringComparison.Ordinal));
        Assert.Contains(logs, l => l.Contains("Login failed from", StringComparison.Ordinal) && l.Contains("unknown account", StringComparison.Ordinal));
        Assert.Contains(logs, l => l.Contains($"User {other.Id} refused: delete of post {postId}", StringComparison.Ordinal));
        foreach (var secret in new[] { password, owner.Token, owner.Token.Split('.')[2], ApiFactory.SecretKey })
            Assert.DoesNotContain(logs, l => l.Contains(secret, StringComparison.Ordinal));
    }
}
