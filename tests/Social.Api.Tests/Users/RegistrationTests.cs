using System.Net;
using System.Net.Http.Json;
using Npgsql;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.ApiClient;

namespace Social.Api.Tests.Users;

public sealed class RegistrationTests(TestEnvironment env)
{
    readonly HttpClient _client = env.Api.CreateClient();

    [Fact]
    public async Task RegisteringReturns201WithExactlyIdEmailAndCreatedAt()
    {
        var email = UniqueEmail();
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);

        var response = await _client.PostAsJsonAsync("/users/", new
        {
            email,
            password = "s3cret",
            id = 999_999,
            created_at = "2000-01-01T00:00:00+00:00",
            is_admin = true,
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.JsonAsync();
        Assert.Equal(["created_at", "email", "id"], body.Keys());
        Assert.Equal(email, body["email"]!.GetValue<string>());
        Assert.NotEqual(999_999, body["id"]!.GetValue<int>());
        var createdAt = DateTimeOffset.Parse(body["created_at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(createdAt, before, DateTimeOffset.UtcNow.AddSeconds(5));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$", body["created_at"]!.GetValue<string>());
    }

    [Fact]
    public async Task PasswordIsStoredAsBcrypt2bHashAndNeverReturned()
    {
        var email = UniqueEmail();
        var response = await _client.RegisterAsync(email, "plain text password");
        var text = await response.Content.ReadAsStringAsync();

        await using var db = await env.Api.OpenDatabaseAsync();
        await using var command = new NpgsqlCommand("SELECT password FROM users WHERE email = $1", db) { Parameters = { new() { Value = email } } };
        var hash = (string)(await command.ExecuteScalarAsync())!;
        Assert.StartsWith("$2b$04$", hash, StringComparison.Ordinal);
        Assert.Equal(60, hash.Length);
        Assert.DoesNotContain(hash, text, StringComparison.Ordinal);
        Assert.DoesNotContain("password", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("  spaced@example.com  ", "spaced@example.com")]
    [InlineData("Alice@EXAMPLE.com", "Alice@example.com")]
    [InlineData("Jane Doe <jd@Example.ORG>", "jd@example.org")]
    [InlineData("ü@bücher.de", "ü@bücher.de")]
    public async Task EmailsAreNormalisedAsTheOriginalDoes(string sent, string stored)
    {
        var unique = Guid.NewGuid().ToString("N")[..8];
        sent = sent.Replace("@", $"{unique}@", StringComparison.Ordinal);
        stored = stored.Replace("@", $"{unique}@", StringComparison.Ordinal);

        var response = await _client.RegisterAsync(sent);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(stored, (await response.JsonAsync())["email"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("notanemail")]
    [InlineData("no-at.example.com")]
    [InlineData("a@")]
    [InlineData("@x.com")]
    [InlineData("a b@x.com")]
    [InlineData("a@b@x.com")]
    [InlineData("")]
    [InlineData("a@localhost")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@x.com")]
    public async Task InvalidEmailsAre422AtBodyEmail(string email)
    {
        var response = await _client.RegisterAsync(email);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var error = (await response.JsonAsync())["detail"]![0]!;
        Assert.Equal("""["body","email"]""", error["loc"]!.ToJsonString());
        Assert.Equal("value_error.email", error["type"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"email": null, "password": null}""")]
    [InlineData("""{"email": ["a@b.com"], "password": {"x": 1}}""")]
    public async Task MissingNullOrNonStringFieldsAre422ListingBoth(string json)
    {
        var response = await _client.PostAsync("/users/", RawJson(json));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var locs = (await response.JsonAsync())["detail"]!.AsArray().Select(e => e!["loc"]!.ToJsonString());
        Assert.Equal(["""["body","email"]""", """["body","password"]"""], locs);
    }

    [Fact]
    public async Task DuplicateEmailIs409AndKeepsTheFirstPassword()
    {
        var email = UniqueEmail();
        Assert.Equal(HttpStatusCode.Created, (await _client.RegisterAsync(email, "first password")).StatusCode);

        var again = await _client.RegisterAsync(email, "second password");
        var domainCase = await _client.RegisterAsync(email.Replace("example.com", "EXAMPLE.COM", StringComparison.Ordinal), "third password");

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains(email, await again.DetailAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, domainCase.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.LoginAsync(email, "first password")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _client.LoginAsync(email, "second password")).StatusCode);
    }

    [Fact]
    public async Task ConcurrentRegistrationsOfOneEmailCreateExactlyOneAccount()
    {
        var email = UniqueEmail("race");

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            env.Api.CreateClient().RegisterAsync(email, $"password {i}")));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
        await using var db = await env.Api.OpenDatabaseAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM users WHERE email = $1", db) { Parameters = { new() { Value = email } } };
        Assert.Equal(1L, await count.ExecuteScalarAsync());
    }

    [Fact]
    public async Task PasswordWithNulIs422AndCreatesNothing()
    {
        var email = UniqueEmail();

        var response = await _client.PostAsync("/users/", RawJson($$"""{"email":"{{email}}","password":"a\u0000b"}"""));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _client.LoginAsync(email, "a")).StatusCode);
    }

    [Fact]
    public async Task NonAsciiPasswordsRegisterAndLogIn()
    {
        var email = UniqueEmail();
        const string password = "Grüße 🚀 aus Köln";

        Assert.Equal(HttpStatusCode.Created, (await _client.RegisterAsync(email, password)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await _client.LoginAsync(email, password)).StatusCode);
    }
}
