using System.Net;
using System.Net.Sockets;
using Npgsql;
using Social.Api.Tests.Infrastructure;

namespace Social.Api.Tests.Hardening;

/// <summary>T14, T19, T20: tampered tokens, untrusted JOSE headers, deleted users.</summary>
public sealed class TokenHardeningTests(TestEnvironment env)
{
    [Fact]
    public async Task ADeletedUsersTokenIsRefusedAndTheirPostsAreGone()
    {
        var user = await env.Api.CreateUserAsync();
        var postId = (await user.CreatePostAsync())["id"]!.GetValue<int>();
        var reader = await env.Api.CreateUserAsync();
        // The public profile is served from the same cache as token checks: seen before deletion.
        Assert.Equal(HttpStatusCode.OK, (await reader.Client.GetAsync($"/users/{user.Id}")).StatusCode);

        await using (var db = await env.Api.OpenDatabaseAsync())
        await using (var delete = new NpgsqlCommand("DELETE FROM users WHERE id = $1", db) { Parameters = { new() { Value = user.Id } } })
            await delete.ExecuteNonQueryAsync();

        // The deletion reaches the service as a database notification, within milliseconds.
        var response = await user.Client.GetAsync("/posts/");
        for (var attempt = 0; attempt < 50 && response.StatusCode != HttpStatusCode.Unauthorized; attempt++)
        {
            await Task.Delay(20);
            response = await user.Client.GetAsync("/posts/");
        }
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Could not validate credentials", await response.DetailAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await reader.Client.GetAsync($"/posts/{postId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.Client.GetAsync($"/users/{user.Id}")).StatusCode);
    }

    /// <summary>A token accepted a moment ago (its user cached as known) is refused once its exp has passed.</summary>
    [Fact]
    public async Task AnAcceptedTokenStillExpires()
    {
        var user = await env.Api.CreateUserAsync();
        var expires = TestTokens.Now + 2;
        using var client = env.Api.ClientWithToken("Bearer " + TestTokens.ForUser(user.Id, expires));

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/posts/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/posts/")).StatusCode);
        while (TestTokens.Now <= expires)
            await Task.Delay(100);

        var response = await client.GetAsync("/posts/");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Could not validate credentials", await response.DetailAsync());
    }

    [Fact]
    public async Task ATamperedPayloadOrSignatureIsRefused()
    {
        var victim = await env.Api.CreateUserAsync();
        var attacker = await env.Api.CreateUserAsync();
        var parts = attacker.Token.Split('.');
        var forgedPayload = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode($$"""{"user_id":{{victim.Id}},"exp":9999999999}""");
        var flipped = parts[2][..^2] + (parts[2][^2] == 'A' ? 'B' : 'A') + parts[2][^1];

        foreach (var token in new[] { $"{parts[0]}.{forgedPayload}.{parts[2]}", $"{parts[0]}.{parts[1]}.{flipped}", $"{parts[0]}.{parts[1]}." })
            Assert.Equal(HttpStatusCode.Unauthorized, (await env.Api.ClientWithToken("Bearer " + token).GetAsync("/posts/")).StatusCode);
    }

    [Fact]
    public async Task KeysNamedInTheTokenHeaderAreNeverFetchedOrTrusted()
    {
        var user = await env.Api.CreateUserAsync();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/key";
        const string attackerKey = "attacker-key-that-is-long-enough-for-hs256-0123456789";
        var payload = $$"""{"user_id":{{user.Id}},"exp":{{TestTokens.Now + 600}}}""";
        var jwk = $$"""{"kty":"oct","k":"{{Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(attackerKey)}}"}""";

        string[] headers =
        [
            $$"""{"alg":"HS256","typ":"JWT","jku":"{{url}}"}""",
            $$"""{"alg":"HS256","typ":"JWT","x5u":"{{url}}"}""",
            $$"""{"alg":"HS256","typ":"JWT","jwk":{{jwk}}}""",
            """{"alg":"HS256","typ":"JWT","kid":"../../dev/null"}""",
            """{"alg":"HS256","typ":"JWT","kid":"' OR 1=1--"}""",
        ];
        foreach (var header in headers)
        {
            var response = await env.Api.ClientWithToken("Bearer " + TestTokens.Mint(payload, attackerKey, header)).GetAsync("/posts/");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        Assert.False(listener.Pending(), "the service must not fetch keys from URLs in tokens");
    }

    [Fact]
    public async Task AnOddKidOnAProperlySignedTokenDoesNotBreakValidation()
    {
        var user = await env.Api.CreateUserAsync();
        var token = TestTokens.Mint($$"""{"user_id":{{user.Id}},"exp":{{TestTokens.Now + 600}}}""", headerJson: """{"alg":"HS256","typ":"JWT","kid":"../../etc/passwd"}""");

        var response = await env.Api.ClientWithToken("Bearer " + token).GetAsync("/posts/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task TwoAuthorizationHeadersAreRefused()
    {
        var user = await env.Api.CreateUserAsync();
        var client = env.Api.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Get, "/posts/");
        request.Headers.TryAddWithoutValidation("Authorization", ["Bearer " + user.Token, "Bearer " + user.Token]);

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
