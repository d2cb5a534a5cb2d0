using System.Net;
using Social.Api.Tests.Infrastructure;

namespace Social.Api.Tests.Routing;

public sealed class CorsTests(TestEnvironment env)
{
    readonly HttpClient _client = env.Api.CreateClient();

    [Theory]
    [InlineData("/")]
    [InlineData("/posts/")] // a 401 carries it too, so the browser can read the error
    public async Task ResponsesAllowAnyOriginWithoutCredentials(string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Origin", "https://app.example");

        var response = await _client.SendAsync(request);

        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task PreflightAllowsPostWithAuthorizationAndContentTypeFromAnyOrigin()
    {
        var response = await PreflightAsync("https://evil.example", "POST", "/posts/", "authorization,content-type");

        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NoContent, response.StatusCode.ToString());
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("POST", string.Join(",", response.Headers.GetValues("Access-Control-Allow-Methods")), StringComparison.OrdinalIgnoreCase);
        var allowed = string.Join(",", response.Headers.GetValues("Access-Control-Allow-Headers"));
        Assert.Contains("authorization", allowed, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("content-type", allowed, StringComparison.OrdinalIgnoreCase);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
    }

    /// <summary>A browser app can edit, delete, vote and log in, not only create (api-contract.md 1.7: every method).</summary>
    [Theory]
    [InlineData("PUT", "/posts/5")]
    [InlineData("DELETE", "/posts/5")]
    [InlineData("GET", "/posts/5")]
    [InlineData("POST", "/vote/")]
    [InlineData("POST", "/login")]
    [InlineData("POST", "/users/")]
    public async Task PreflightAllowsEveryMethodTheApiUses(string method, string path)
    {
        var response = await PreflightAsync("https://app.example", method, path, "authorization");

        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NoContent, response.StatusCode.ToString());
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains(method, string.Join(",", response.Headers.GetValues("Access-Control-Allow-Methods")), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>What a browser sends before a cross-origin <paramref name="method"/> with <paramref name="headers"/>.</summary>
    Task<HttpResponseMessage> PreflightAsync(string origin, string method, string path, string headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", headers);
        return _client.SendAsync(request);
    }
}
