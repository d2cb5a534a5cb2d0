using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Social.Api.Auth;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.Sql;

namespace Social.Api.Tests.Auth;

/// <summary>POST /logout revokes the token it carries, and only that one, until the token expires.</summary>
public sealed class LogoutTests(TestEnvironment env)
{
    [Fact]
    public async Task LoggingOutRevokesThatTokenOnlyAndTheUsersOtherTokensKeepWorking()
    {
        var user = await env.Api.CreateUserAsync();
        // Another token of the same user. (Two logins within one second give the same token, as
        // the original's do: {"user_id", "exp"} and nothing else.)
        var other = env.Api.ClientWithToken("Bearer " + TestTokens.ForUser(user.Id, TestTokens.Now + 1800));

        var response = await user.Client.LogOutAsync();

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        foreach (var path in new[] { "/posts/", "/users/me" })
        {
            var refused = await user.Client.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("Could not validate credentials", await refused.DetailAsync());
            Assert.Equal("Bearer error=\"invalid_token\"", refused.Headers.WwwAuthenticate.ToString());
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await user.Client.LogOutAsync()).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/posts/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await env.Api.CreateClient().LoginAsync(user.Email)).StatusCode);
    }

    [Fact]
    public async Task TheTableKeepsTheTokensDigestAndExpiryNeverTheToken()
    {
        var user = await env.Api.CreateUserAsync();

        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.LogOutAsync()).StatusCode);

        await using var db = await env.Api.OpenDatabaseAsync();
        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(user.Token)));
        var exp = System.Text.Json.JsonDocument.Parse(TestTokens.DecodePart(user.Token, 1)).RootElement.GetProperty("exp").GetInt64();
        Assert.Equal([$"{exp}"], await RowsAsync(db, $"SELECT extract(epoch FROM expires_at)::bigint FROM revoked_tokens WHERE digest = '\\x{digest}'"));
    }

    [Fact]
    public async Task RevocationsArePrunedOnceTheirTokensHaveExpired()
    {
        await using var api = await ApiFactory.CreateAsync(env.Cluster,
            services: services => services.AddSingleton(RevocationSettings.Default with { PruneEvery = TimeSpan.FromMilliseconds(200) }));
        var user = await api.CreateUserAsync();
        // A token that expires in two seconds, logged out now.
        var shortLived = api.ClientWithToken("Bearer " + TestTokens.ForUser(user.Id, TestTokens.Now + 2));
        Assert.Equal(HttpStatusCode.NoContent, (await shortLived.LogOutAsync()).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.LogOutAsync()).StatusCode);
        await using var db = await api.OpenDatabaseAsync();
        await ExecuteAsync(db, "INSERT INTO revoked_tokens (digest, expires_at) VALUES (sha256('long gone'), now() - interval '1 hour')");

        await Eventually.HoldsAsync(async () => await CountAsync(db, "SELECT count(*) FROM revoked_tokens") == 1, "the expired revocations pruned");
        var kept = await RowsAsync(db, "SELECT encode(digest, 'hex') FROM revoked_tokens");
        Assert.Equal([Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(user.Token)))], kept);
        Assert.Equal(HttpStatusCode.Unauthorized, (await user.Client.GetAsync("/posts/")).StatusCode);
        var held = api.Services.GetRequiredService<RevokedTokens>();
        await Eventually.HoldsAsync(() => held.Count == 1, "the expired revocations forgotten in memory too");
    }

    /// <summary>
    /// Past the memory bound a logout is not held: tokens not in memory are then looked up in the
    /// table, until pruning has made room and the table is loaded again.
    /// </summary>
    [Fact]
    public async Task PastTheMemoryBoundTokensAreLookedUpInTheTableUntilThereIsRoomAgain()
    {
        await using var api = await ApiFactory.CreateAsync(env.Cluster,
            services: services => services.AddSingleton(new RevocationSettings(TimeSpan.FromMilliseconds(200), MemoryCapacity: 2)));
        var user = await api.CreateUserAsync();
        var held = api.Services.GetRequiredService<RevokedTokens>();
        var (expiring, first, beyond, kept) = (Token(4), Token(1800), Token(1700), Token(1600));

        foreach (var token in new[] { expiring, first, beyond })
            Assert.Equal(HttpStatusCode.NoContent, (await token.LogOutAsync()).StatusCode);

        Assert.False(held.Complete);
        Assert.Equal(2, held.Count);
        Assert.Equal(HttpStatusCode.Unauthorized, (await beyond.GetAsync("/users/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await first.GetAsync("/users/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await kept.GetAsync("/users/me")).StatusCode);
        await Eventually.HoldsAsync(() => held.Complete && held.Count == 2, "room made by the expired one, and the table loaded again");
        Assert.Equal(HttpStatusCode.Unauthorized, (await beyond.GetAsync("/users/me")).StatusCode);

        HttpClient Token(int secondsLeft) => api.ClientWithToken("Bearer " + TestTokens.ForUser(user.Id, TestTokens.Now + secondsLeft));
    }
}
