using System.Net;
using System.Net.Http.Json;
using Social.Api.Tests.Infrastructure;

namespace Social.Api.Tests.Routing;

public sealed class RoutingTests(TestEnvironment env)
{
    readonly HttpClient _client = env.Api.CreateClient();

    [Fact]
    public async Task RootSaysHello()
    {
        var response = await _client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(string.IsNullOrEmpty((await response.JsonAsync())["message"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("/nope")]
    [InlineData("/posts/1/comments")]
    public async Task UnknownPathsAre404WithJsonDetail(string path)
    {
        var response = await _client.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Not Found", await response.DetailAsync());
    }

    [Theory]
    [InlineData("PATCH", "/posts/1")]
    [InlineData("GET", "/users/")]
    [InlineData("GET", "/login")]
    [InlineData("GET", "/vote/")]
    [InlineData("DELETE", "/vote/")]
    [InlineData("POST", "/")]
    [InlineData("OPTIONS", "/posts/")]
    public async Task KnownPathsWithTheWrongMethodAre405WithJsonDetailBeforeAuthentication(string method, string path)
    {
        var response = await _client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("Method Not Allowed", await response.DetailAsync());
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/posts/")]
    public async Task HeadIsNotAllowed(string path)
    {
        var response = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task BothSpellingsOfEachPathAreServed()
    {
        var user = await env.Api.CreateUserAsync();
        var postId = (await user.CreatePostAsync())["id"]!.GetValue<int>();

        Assert.Equal(HttpStatusCode.OK, (await user.Client.GetAsync("/posts")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await user.Client.GetAsync($"/posts/{postId}/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await user.Client.GetAsync($"/users/{user.Id}/")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await user.Client.PostAsJsonAsync("/users", new { email = ApiClient.UniqueEmail(), password = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await user.Client.PostAsJsonAsync("/vote", new { post_id = postId, dir = 1 })).StatusCode);
        var login = new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = user.Email, ["password"] = user.Password });
        Assert.Equal(HttpStatusCode.OK, (await user.Client.PostAsync("/login/", login)).StatusCode);
    }

    [Fact]
    public async Task ResponsesCarryNoServerHeader()
    {
        var response = await _client.GetAsync("/");

        Assert.False(response.Headers.Contains("Server"));
    }
}
