using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Social.Api.Auth;
using Social.Api.Tests.Infrastructure;

namespace Social.Api.Tests.Auth;

/// <summary>The contract's 401 table, row by row, on every protected endpoint.</summary>
public sealed class ProtectedEndpointTests(TestEnvironment env)
{
    const string NotAuthenticated = "Not authenticated", CouldNotValidate = "Could not validate credentials";

    public static TheoryData<string> Endpoints =>
    [
        "GET /posts/", "POST /posts/", "GET /posts/{id}", "PUT /posts/{id}", "DELETE /posts/{id}", "POST /vote/",
        "GET /users/me", "PUT /users/me/password", "DELETE /users/me", "POST /logout",
    ];

    /// <summary>What is sent as the Authorization header (null: none) and the detail expected.</summary>
    public static IEnumerable<(string Case, Func<int, string?> Header, string Detail)> Credentials()
    {
        var now = TestTokens.Now;
        yield return ("no header", _ => null, NotAuthenticated);
        yield return ("empty header", _ => "", NotAuthenticated);
        yield return ("basic scheme", _ => "Basic YWxpY2U6c2VjcmV0", NotAuthenticated);
        yield return ("token scheme", u => "Token " + TestTokens.ForUser(u), NotAuthenticated);
        yield return ("bare token", u => TestTokens.ForUser(u), NotAuthenticated);
        yield return ("bearer without token", _ => "Bearer", CouldNotValidate);
        yield return ("bearer and a space", _ => "Bearer ", CouldNotValidate);
        yield return ("not a jwt", _ => "Bearer not-a-token", CouldNotValidate);
        yield return ("another key", u => "Bearer " + TestTokens.ForUser(u, key: "another-key-that-is-also-long-enough-0123456789"), CouldNotValidate);
        yield return ("expired", u => "Bearer " + TestTokens.ForUser(u, expires: now - 1), CouldNotValidate);
        yield return ("alg none", u => "Bearer " + TestTokens.Mint($$"""{"user_id":{{u}},"exp":{{now + 600}}}""", headerJson: """{"alg":"none","typ":"JWT"}"""), CouldNotValidate);
        yield return ("HS512 with the right key", u => "Bearer " + TestTokens.Mint($$"""{"user_id":{{u}},"exp":{{now + 600}}}""", headerJson: """{"alg":"HS512","typ":"JWT"}"""), CouldNotValidate);
        yield return ("exp not a number", u => "Bearer " + TestTokens.Mint($$"""{"user_id":{{u}},"exp":"soon"}"""), CouldNotValidate);
        yield return ("nbf in the future", u => "Bearer " + TestTokens.Mint($$"""{"user_id":{{u}},"exp":{{now + 600}},"nbf":{{now + 300}}}"""), CouldNotValidate);
        yield return ("no exp", u => "Bearer " + TestTokens.Mint($$"""{"user_id":{{u}}}"""), CouldNotValidate);
        yield return ("no user_id", _ => "Bearer " + TestTokens.Mint($$"""{"exp":{{now + 600}}}"""), CouldNotValidate);
        yield return ("user_id null", _ => "Bearer " + TestTokens.Mint($$"""{"user_id":null,"exp":{{now + 600}}}"""), CouldNotValidate);
        yield return ("user_id a word", _ => "Bearer " + TestTokens.Mint($$"""{"user_id":"abc","exp":{{now + 600}}}"""), CouldNotValidate);
        yield return ("user_id a fraction", _ => "Bearer " + TestTokens.Mint($$"""{"user_id":1.5,"exp":{{now + 600}}}"""), CouldNotValidate);
        yield return ("user_id a list", u => "Bearer " + TestTokens.Mint($$"""{"user_id":[{{u}}],"exp":{{now + 600}}}"""), CouldNotValidate);
        yield return ("user_id beyond 64 bits", _ => "Bearer " + TestTokens.Mint($$"""{"user_id":100000000000000000000,"exp":{{now + 600}}}"""), CouldNotValidate);
        yield return ("user that does not exist", _ => "Bearer " + TestTokens.ForUser(int.MaxValue), CouldNotValidate);
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task EveryRejectedCredentialIs401WithBearerChallengeAndHasNoEffect(string endpoint)
    {
        var owner = await env.Api.CreateUserAsync();
        var title = ApiClient.UniqueText("original");
        var postId = (await owner.CreatePostAsync(title))["id"]!.GetValue<int>();

        foreach (var (name, header, detail) in Credentials())
        {
            var client = env.Api.CreateClient();
            if (header(owner.Id) is { } value)
                client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", value);

            var response = await client.SendAsync(Request(endpoint, postId));

            Assert.True(HttpStatusCode.Unauthorized == response.StatusCode, $"{endpoint} with {name}: {response.StatusCode}");
            Assert.StartsWith("Bearer", string.Join(",", response.Headers.WwwAuthenticate), StringComparison.Ordinal);
            Assert.Equal(detail, await response.DetailAsync());
        }

        var after = await (await owner.Client.GetAsync($"/posts/{postId}")).JsonAsync();
        Assert.Equal(title, after["Post"]!["title"]!.GetValue<string>());
        Assert.Equal(0, after["votes"]!.GetValue<int>());
        var list = await (await owner.Client.GetAsync("/posts/?search=unauthorized-write")).JsonAsync();
        Assert.Empty(list.AsArray());
    }

    static HttpRequestMessage Request(string endpoint, int postId)
    {
        var (method, path) = endpoint.Split(' ') is [var m, var p] ? (new HttpMethod(m), p.Replace("{id}", postId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)) : throw new ArgumentException(endpoint);
        var request = new HttpRequestMessage(method, path);
        if (method == HttpMethod.Post && path == "/vote/")
            request.Content = JsonContent.Create(new { post_id = postId, dir = 1 });
        // The owner's right password: only the missing authentication stops these.
        else if (path == "/users/me/password")
            request.Content = JsonContent.Create(new { current_password = ApiClient.Password, new_password = "unauthorized-write" });
        else if (path == "/users/me")
            request.Content = method == HttpMethod.Delete ? JsonContent.Create(new { password = ApiClient.Password }) : null;
        else if (path == "/logout")
            request.Content = null;
        else if (method == HttpMethod.Post || method == HttpMethod.Put)
            request.Content = JsonContent.Create(new { title = "unauthorized-write", content = "x" });
        return request;
    }

    [Fact]
    public async Task TwoSpacesAfterBearerAreRefusedAsTheOriginalRefusesThem()
    {
        var user = await env.Api.CreateUserAsync();

        // Through the server directly: HttpClient would normalise the header's spacing.
        var context = await env.Api.Server.SendAsync(c =>
        {
            c.Request.Method = "GET";
            c.Request.Path = "/posts/";
            c.Request.Headers.Authorization = "Bearer  " + user.Token;
        });

        Assert.Equal(StatusCodes.Status401Unauthorized, context.Response.StatusCode);
    }

    [Theory]
    [InlineData("bearer")]
    [InlineData("BEARER")]
    [InlineData("Bearer")]
    public async Task TheSchemeWordIsCaseInsensitive(string scheme)
    {
        var user = await env.Api.CreateUserAsync();

        var response = await env.Api.ClientWithToken($"{scheme} {user.Token}").GetAsync("/posts/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ATokenMintedByAnyoneHoldingTheKeyActsAsTheUserItNames()
    {
        var user = await env.Api.CreateUserAsync();
        var client = env.Api.ClientWithToken("Bearer " + TestTokens.ForUser(user.Id));

        var response = await client.PostAsJsonAsync("/posts/", new { title = "minted elsewhere", content = "x" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(user.Id, (await response.JsonAsync())["owner_id"]!.GetValue<int>());
    }

    [Fact]
    public async Task ATokenMintedByPyJwtIsAccepted()
    {
        const string python = "/usr/bin/python3";
        var user = await env.Api.CreateUserAsync();
        var script = $"import jwt, time; print(jwt.encode({{'user_id': {user.Id}, 'exp': int(time.time()) + 600}}, '{ApiFactory.SecretKey}', algorithm='HS256'))";
        var token = await ExternalProcess.OutputOrSkipAsync(python, ["-c", script], "PyJWT (Debian package python3-jwt)");

        var response = await env.Api.ClientWithToken("Bearer " + token.Trim()).GetAsync("/posts/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ExtraClaimsAreIgnored()
    {
        var user = await env.Api.CreateUserAsync();
        var token = TestTokens.Mint($$"""{"user_id":{{user.Id}},"exp":{{TestTokens.Now + 600}},"sub":"someone","role":"admin"}""");

        var response = await env.Api.ClientWithToken("Bearer " + token).GetAsync("/posts/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task TokensInTheUrlOrACookieAreIgnored()
    {
        var user = await env.Api.CreateUserAsync();
        var client = env.Api.CreateClient();

        var inUrl = await client.GetAsync($"/posts/?access_token={user.Token}");
        var request = new HttpRequestMessage(HttpMethod.Get, "/posts/");
        request.Headers.Add("Cookie", $"access_token={user.Token}");
        var inCookie = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, inUrl.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, inCookie.StatusCode);
    }

    [Theory]
    [InlineData("GET", "/posts/abc", null)]
    [InlineData("GET", "/posts/?limit=abc", null)]
    [InlineData("POST", "/posts/", """{"title": 5}""")]
    [InlineData("PUT", "/posts/abc", """{}""")]
    [InlineData("POST", "/vote/", """{"post_id": "x", "dir": 7}""")]
    public async Task AuthenticationIsCheckedBeforeValidation(string method, string path, string? json)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = json is null ? null : ApiClient.RawJson(json) };

        var response = await env.Api.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("POST", "/posts/")]
    [InlineData("PUT", "/posts/1")]
    [InlineData("POST", "/vote/")]
    public async Task MalformedJsonIs422EvenWithoutAToken(string method, string path)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = ApiClient.RawJson("{bad") };

        var response = await env.Api.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("value_error.jsondecode", (await response.JsonAsync())["detail"]![0]!["type"]!.GetValue<string>());
    }
}
