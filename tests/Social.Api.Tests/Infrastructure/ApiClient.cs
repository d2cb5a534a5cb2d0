using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Social.Api.Tests.Infrastructure;

/// <summary>A registered user with a logged-in client.</summary>
public sealed record TestUser(int Id, string Email, string Password, string Token, HttpClient Client);

/// <summary>Helpers that read like the API: register, log in, post, vote.</summary>
public static class ApiClient
{
    public const string Password = "correct horse battery staple";

    public static string UniqueEmail(string name = "user") => $"{name}.{Guid.NewGuid():N}@example.com";

    public static string UniqueText(string prefix = "text") => $"{prefix}-{Guid.NewGuid():N}";

    public static Task<HttpResponseMessage> RegisterAsync(this HttpClient client, string email, string password = Password) =>
        client.PostAsJsonAsync("/users/", new { email, password });

    public static Task<HttpResponseMessage> LoginAsync(this HttpClient client, string username, string password = Password) =>
        client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = username, ["password"] = password }));

    /// <summary>Registers <paramref name="email"/> and returns the access token its login gives.</summary>
    public static async Task<string> RegisterAndLogInAsync(this HttpClient client, string email)
    {
        Assert.Equal(HttpStatusCode.Created, (await client.RegisterAsync(email)).StatusCode);
        var login = await client.LoginAsync(email);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        return (await login.JsonAsync())["access_token"]!.GetValue<string>();
    }

    public static Task<TestUser> CreateUserAsync(this ApiFactory api, string? email = null, string password = Password) =>
        CreateUserAsync(api.CreateClient, email, password);

    /// <summary>A registered, logged-in user of the service running at <paramref name="url"/> (a real process).</summary>
    public static Task<TestUser> CreateUserAsync(string url, string? email = null, string password = Password) =>
        CreateUserAsync(() => new HttpClient { BaseAddress = new Uri(url) }, email, password);

    /// <summary>A registered, logged-in user, through clients made by <paramref name="newClient"/>.</summary>
    public static async Task<TestUser> CreateUserAsync(Func<HttpClient> newClient, string? email, string password = Password)
    {
        using var client = newClient();
        email ??= UniqueEmail();
        var registered = await client.RegisterAsync(email, password);
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var id = (await registered.JsonAsync())["id"]!.GetValue<int>();

        var login = await client.LoginAsync(email, password);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var token = (await login.JsonAsync())["access_token"]!.GetValue<string>();

        var authorized = newClient();
        authorized.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return new TestUser(id, email, password, token, authorized);
    }

    /// <summary>A POST through the in-memory server directly, to choose the client's address (and its X-Forwarded-For).</summary>
    public static Task<Microsoft.AspNetCore.Http.HttpContext> PostFromAsync(
        this ApiFactory api, string ip, string path, string body, string contentType, string? forwardedFor = null) =>
        api.Server.SendAsync(c =>
        {
            c.Connection.RemoteIpAddress = System.Net.IPAddress.Parse(ip);
            c.Request.Method = "POST";
            c.Request.Path = path;
            c.Request.ContentType = contentType;
            var bytes = System.Text.Encoding.UTF8.GetBytes(body);
            c.Request.Body = new MemoryStream(bytes);
            c.Request.ContentLength = bytes.Length;
            if (forwardedFor is not null)
                c.Request.Headers["X-Forwarded-For"] = forwardedFor;
        });

    public static HttpClient ClientWithToken(this ApiFactory api, string authorization)
    {
        var client = api.CreateClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        return client;
    }

    public static async Task<JsonNode> CreatePostAsync(this TestUser user, string? title = null, string content = "content", bool? published = null)
    {
        object body = published is null
            ? new { title = title ?? UniqueText("title"), content }
            : new { title = title ?? UniqueText("title"), content, published };
        var response = await user.Client.PostAsJsonAsync("/posts/", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.JsonAsync();
    }

    public static Task<HttpResponseMessage> VoteAsync(this TestUser user, int postId, int dir) =>
        user.Client.PostAsJsonAsync("/vote/", new { post_id = postId, dir });

    /// <summary>PUT /users/me/password with the client's token.</summary>
    public static Task<HttpResponseMessage> ChangePasswordAsync(this HttpClient client, string currentPassword, string newPassword) =>
        client.PutAsJsonAsync("/users/me/password", new { current_password = currentPassword, new_password = newPassword });

    /// <summary>DELETE /users/me with the password in the body.</summary>
    public static Task<HttpResponseMessage> DeleteAccountAsync(this HttpClient client, string password) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/users/me") { Content = JsonContent.Create(new { password }) });

    public static Task<HttpResponseMessage> LogOutAsync(this HttpClient client) => client.PostAsync("/logout", null);

    public static async Task<JsonNode> JsonAsync(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())
            ?? throw new InvalidOperationException("The body is JSON null.");

    /// <summary>The keys of a JSON object, sorted, for exact key-set assertions.</summary>
    public static string[] Keys(this JsonNode? node) =>
        [.. node!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal)];

    public static StringContent RawJson(string json, string? contentType = "application/json")
    {
        var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    public static async Task<string> DetailAsync(this HttpResponseMessage response) =>
        (await response.JsonAsync())["detail"]!.GetValue<string>();

    /// <summary>The answer while the database is unavailable: 503, <c>Retry-After</c>, and the generic body, never the driver's message.</summary>
    public static async Task AssertUnavailableAsync(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode}");
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal(UnavailableBody, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Whether <paramref name="response"/> is that answer, for loads that count rather than assert.</summary>
    public static async Task<bool> IsUnavailableAsync(HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter is not null
        && await response.Content.ReadAsStringAsync() == UnavailableBody;

    const string UnavailableBody = """{"detail":"Service temporarily unavailable, try again shortly"}""";
}
