using System.Net;
using System.Text.Json.Nodes;
using Social.Api.Tests.Infrastructure;

namespace Social.Api.Tests.Users;

public sealed class ProfileTests(TestEnvironment env)
{
    readonly HttpClient _client = env.Api.CreateClient();

    [Fact]
    public async Task ProfileHasTheSameThreeKeysAsRegistration()
    {
        var user = await env.Api.CreateUserAsync();

        var response = await _client.GetAsync($"/users/{user.Id}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal(["created_at", "email", "id"], body.Keys());
        Assert.Equal(user.Id, body["id"]!.GetValue<int>());
        Assert.Equal(user.Email, body["email"]!.GetValue<string>());
    }

    /// <summary>api-contract §3.2: the same three keys as registration, with the same values (also when cached).</summary>
    [Fact]
    public async Task ProfileIsExactlyWhatRegistrationAnswered()
    {
        var registered = await (await _client.RegisterAsync(ApiClient.UniqueEmail())).JsonAsync();
        var id = registered["id"]!.GetValue<int>();

        for (var read = 0; read < 2; read++)
        {
            var profile = await (await _client.GetAsync($"/users/{id}")).JsonAsync();
            Assert.True(JsonNode.DeepEquals(registered, profile), $"{registered.ToJsonString()} vs {profile.ToJsonString()}");
        }
    }

    [Fact]
    public async Task ProfileIsPublicAndIgnoresAGarbageAuthorizationHeader()
    {
        var user = await env.Api.CreateUserAsync();

        var response = await env.Api.ClientWithToken("Bearer garbage").GetAsync($"/users/{user.Id}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task RegistrationAndLoginIgnoreAGarbageAuthorizationHeaderToo()
    {
        var client = env.Api.ClientWithToken("Bearer garbage");
        var email = ApiClient.UniqueEmail();

        Assert.Equal(HttpStatusCode.Created, (await client.RegisterAsync(email)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.LoginAsync(email)).StatusCode);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("2147483647")]
    public async Task MissingUserIs404WithDetail(string id)
    {
        var response = await _client.GetAsync($"/users/{id}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal($"User with id: {id} does not exist", await response.DetailAsync());
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("1e3")]
    [InlineData("0x10")]
    [InlineData("true")]
    public async Task NonIntegerIdIs422AtPathId(string id)
    {
        var response = await _client.GetAsync($"/users/{id}");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("""["path","id"]""", (await response.JsonAsync())["detail"]![0]!["loc"]!.ToJsonString());
    }

    [Theory]
    [InlineData("2147483648")]
    [InlineData("1000000000000000000000000000000")]
    public async Task IdsBeyond32BitsAreAClientError(string id)
    {
        var response = await _client.GetAsync($"/users/{id}");

        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.NotFound, HttpStatusCode.UnprocessableEntity });
    }
}
