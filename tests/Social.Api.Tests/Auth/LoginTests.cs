using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.ApiClient;

namespace Social.Api.Tests.Auth;

public sealed class LoginTests(TestEnvironment env)
{
    readonly HttpClient _client = env.Api.CreateClient();

    [Fact]
    public async Task LoginReturnsABearerTokenThatIsNotCached()
    {
        var email = UniqueEmail();
        await _client.RegisterAsync(email);

        var response = await _client.LoginAsync(email);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal(["access_token", "token_type"], body.Keys());
        Assert.Equal("bearer", body["token_type"]!.GetValue<string>());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    /// <summary>The lifetime is the original's variable, not the default of 60 the rest of the suite runs with (api-contract.md 2.2).</summary>
    [Fact]
    public async Task TokenLifetimeIsAccessTokenExpireMinutes()
    {
        await using var api = await ApiFactory.CreateAsync(env.Cluster, new Dictionary<string, string?> { ["ACCESS_TOKEN_EXPIRE_MINUTES"] = "5" });
        var user = await api.CreateUserAsync();
        var now = TestTokens.Now;

        var payload = JsonNode.Parse(TestTokens.DecodePart(user.Token, 1))!;
        Assert.InRange(payload["exp"]!.GetValue<long>(), now + 300 - 120, now + 300 + 120);
    }

    [Fact]
    public async Task TokenCarriesExactlyUserIdAndExpAsTheOriginalMintsIt()
    {
        var user = await env.Api.CreateUserAsync();
        var now = TestTokens.Now;

        Assert.Equal(TestTokens.DefaultHeader, TestTokens.DecodePart(user.Token, 0));
        var payload = JsonNode.Parse(TestTokens.DecodePart(user.Token, 1))!;
        Assert.Equal(["exp", "user_id"], payload.Keys());
        Assert.Equal(System.Text.Json.JsonValueKind.Number, payload["user_id"]!.GetValueKind());
        Assert.Equal(user.Id, payload["user_id"]!.GetValue<int>());
        Assert.InRange(payload["exp"]!.GetValue<long>(), now + 3600 - 120, now + 3600 + 120);
        // Same key, same claims, same bytes: the token is the one the original would have signed.
        Assert.Equal(TestTokens.Mint(TestTokens.DecodePart(user.Token, 1)), user.Token);
    }

    [Fact]
    public async Task MultipartFormLogsInToo()
    {
        var email = UniqueEmail();
        await _client.RegisterAsync(email);

        var response = await _client.PostAsync("/login", new MultipartFormDataContent
        {
            { new StringContent(email), "username" },
            { new StringContent(Password), "password" },
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task UnknownEmailAndWrongPasswordGetTheSame403()
    {
        var email = UniqueEmail();
        await _client.RegisterAsync(email);

        var unknown = await _client.LoginAsync(UniqueEmail(), Password);
        var wrong = await _client.LoginAsync(email, "wrong password");

        foreach (var response in new[] { unknown, wrong })
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("""{"detail":"Invalid Credentials"}""", await response.Content.ReadAsStringAsync());
            Assert.False(response.Headers.Contains("WWW-Authenticate"));
        }
    }

    [Fact]
    public async Task EmailMatchesExactlyWithoutTrimmingOrCaseFolding()
    {
        var email = UniqueEmail();
        await _client.RegisterAsync(email);

        Assert.Equal(HttpStatusCode.Forbidden, (await _client.LoginAsync(email.ToUpperInvariant())).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _client.LoginAsync(" " + email)).StatusCode);
    }

    [Theory]
    [InlineData("password=x", "username")]
    [InlineData("username=a%40b.com", "password")]
    [InlineData("username=a%40b.com&password=", "password")]
    [InlineData("username=&password=x", "username")]
    public async Task MissingOrEmptyFieldsAre422(string form, string missing)
    {
        var response = await _client.PostAsync("/login", new StringContent(form, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var locs = (await response.JsonAsync())["detail"]!.AsArray().Select(e => e!["loc"]!.ToJsonString());
        Assert.Contains($"""["body","{missing}"]""", locs);
    }

    [Fact]
    public async Task JsonBodyInsteadOfFormReportsBothFieldsMissing()
    {
        var response = await _client.PostAsJsonAsync("/login", new { username = "a@b.com", password = "x" });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var locs = (await response.JsonAsync())["detail"]!.AsArray().Select(e => e!["loc"]!.ToJsonString());
        Assert.Equal(["""["body","username"]""", """["body","password"]"""], locs);
    }

    [Theory]
    [InlineData("password", HttpStatusCode.OK)]
    [InlineData("client_credentials", HttpStatusCode.UnprocessableEntity)]
    public async Task GrantTypeMustBePasswordWhenSent(string grantType, HttpStatusCode expected)
    {
        var email = UniqueEmail();
        await _client.RegisterAsync(email);

        var response = await _client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = grantType, ["username"] = email, ["password"] = Password, ["scope"] = "", ["client_id"] = "x",
        }));

        Assert.Equal(expected, response.StatusCode);
    }

    [Theory]
    [InlineData("old password 1", "$2b$12$FX0Xv/QAYazTHedLJwlj/ObHOUuhhiwZtr0xXgHnR7mF6Airmzfry")]
    [InlineData("Grüße 🚀 aus Köln", "$2b$12$nepuVbb9sSn9utODBsma2uemuRUw5L90np9szxuB1SVI1.xLvl706")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-beyond-72-bytes (bcrypt ignores this tail)", "$2b$12$AVoDLtEij2yOQaymXzKKqOPiIGVRK8BgzeHGLv49YNXw2fGrBRnKS")]
    public async Task UsersWithHashesMadeByTheOriginalLogIn(string password, string hash)
    {
        var email = UniqueEmail("legacy");
        await using (var db = await env.Api.OpenDatabaseAsync())
        await using (var insert = new NpgsqlCommand("INSERT INTO users (email, password) VALUES ($1, $2)", db)
        {
            Parameters = { new() { Value = email }, new() { Value = hash } },
        })
        {
            await insert.ExecuteNonQueryAsync();
        }

        Assert.Equal(HttpStatusCode.OK, (await _client.LoginAsync(email, password)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _client.LoginAsync(email, "!" + password)).StatusCode);
    }
}
