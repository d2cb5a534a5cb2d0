using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Social.Api.Tests.Infrastructure;

namespace Social.Api.Tests.ApiDocs;

/// <summary>The OpenAPI document is a checked contract: the committed copy, its content, and the /docs page.</summary>
public sealed partial class OpenApiDocumentTests(TestEnvironment env)
{
    static readonly string[] Methods = ["get", "put", "post", "delete", "patch"];

    async Task<JsonObject> ServedAsync() =>
        (await (await env.Api.CreateClient().GetAsync("/openapi.json")).JsonAsync()).AsObject();

    static IEnumerable<(string Path, string Method, JsonObject Operation)> Operations(JsonObject document) =>
        from path in document["paths"]!.AsObject()
        from method in Methods
        where path.Value![method] is JsonObject
        select (path.Key, method, path.Value![method]!.AsObject());

    [Fact]
    public async Task TheServedDocumentIsTheCommittedOne()
    {
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(Repository.PathOf("docs", "openapi.json")));

        var served = await ServedAsync();

        Assert.True(JsonNode.DeepEquals(committed, served),
            "The wire contract changed: run scripts/update-openapi and commit docs/openapi.json (review the diff).");
    }

    [Fact]
    public async Task ItIsOpenApi31WithTheContractsCanonicalPaths()
    {
        var document = await ServedAsync();

        Assert.StartsWith("3.1", document["openapi"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(["/", "/login", "/logout", "/posts/", "/posts/{id}", "/users/", "/users/me", "/users/me/password", "/users/{id}", "/users/{id}/posts", "/vote/"],
            document["paths"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Null(document["servers"]);
    }

    [Fact]
    public async Task EveryOperationHasASummaryADescriptionAndAnExample()
    {
        foreach (var (path, method, operation) in Operations(await ServedAsync()))
        {
            Assert.False(string.IsNullOrWhiteSpace(operation["summary"]?.GetValue<string>()), $"{method} {path}: summary");
            Assert.False(string.IsNullOrWhiteSpace(operation["description"]?.GetValue<string>()), $"{method} {path}: description");
            Assert.True(operation.ToJsonString().Contains("\"example\"", StringComparison.Ordinal), $"{method} {path}: example");
        }
    }

    [Fact]
    public async Task ProtectedOperationsUseTheOAuth2PasswordFlowOfLoginAndPublicOnesDoNot()
    {
        var document = await ServedAsync();

        var scheme = document["components"]!["securitySchemes"]!["OAuth2"]!;
        Assert.Equal("oauth2", scheme["type"]!.GetValue<string>());
        Assert.Equal("/login", scheme["flows"]!["password"]!["tokenUrl"]!.GetValue<string>());
        foreach (var (path, method, operation) in Operations(document))
        {
            var isProtected = path.StartsWith("/posts", StringComparison.Ordinal) || path.EndsWith("/posts", StringComparison.Ordinal) || path.StartsWith("/users/me", StringComparison.Ordinal) || path is "/vote/" or "/logout";
            Assert.True(isProtected == operation["security"] is not null, $"{method} {path}");
            Assert.True(isProtected == operation["responses"]!["401"] is not null, $"{method} {path}: 401");
        }
    }

    [Theory]
    [InlineData("/", "get", "200")]
    [InlineData("/users/", "post", "201 400 409 413 422 429 503")]
    [InlineData("/users/{id}", "get", "200 404 422 503")]
    [InlineData("/users/me", "get", "200 401 503")]
    [InlineData("/users/me/password", "put", "200 400 401 403 409 413 422 429 503")]
    [InlineData("/users/me", "delete", "204 400 401 403 409 413 422 429 503")]
    [InlineData("/login", "post", "200 403 413 422 429 503")]
    [InlineData("/logout", "post", "204 401 503")]
    [InlineData("/posts/", "get", "200 401 422 503")]
    [InlineData("/users/{id}/posts", "get", "200 401 404 422 503")]
    [InlineData("/posts/", "post", "201 400 401 413 422 503")]
    [InlineData("/posts/{id}", "get", "200 401 404 422 503")]
    [InlineData("/posts/{id}", "put", "200 400 401 403 404 413 422 503")]
    [InlineData("/posts/{id}", "delete", "204 401 403 404 422 503")]
    [InlineData("/vote/", "post", "201 400 401 404 409 413 422 503")]
    public async Task EveryStatusAnOperationCanAnswerIsListedWithItsBody(string path, string method, string statuses)
    {
        var responses = (await ServedAsync())["paths"]![path]![method]!["responses"]!.AsObject();

        Assert.Equal(statuses.Split(' '), responses.Select(r => r.Key).Order(StringComparer.Ordinal));
        foreach (var (status, response) in responses.Where(r => r.Key != "204"))
            Assert.NotNull(response!["content"]?["application/json"]?["schema"]);
    }

    [Fact]
    public async Task NumbersAreNumbersAndTheWireShapesAreKept()
    {
        var document = await ServedAsync();
        var schemas = document["components"]!["schemas"]!;

        Assert.DoesNotMatch(MixedNumberAndString(), document.ToJsonString());
        Assert.NotNull(schemas["PostWithVotes"]!["properties"]!["Post"]);
        Assert.Equal("integer", schemas["PostResponse"]!["properties"]!["owner_id"]!["type"]!.GetValue<string>());
        Assert.True(schemas["PostRequest"]!["properties"]!["published"]!["default"]!.GetValue<bool>());
        Assert.Equal("date-time", schemas["UserResponse"]!["properties"]!["created_at"]!["format"]!.GetValue<string>());
        var loginForm = document["paths"]!["/login"]!["post"]!["requestBody"]!["content"]!;
        Assert.NotNull(loginForm["application/x-www-form-urlencoded"]);
        Assert.NotNull(loginForm["multipart/form-data"]);
        var validationItem = schemas["ValidationErrorResponse"]!["properties"]!["detail"]!["items"]!["$ref"]!.GetValue<string>();
        Assert.Equal("#/components/schemas/ValidationError", validationItem);
    }

    [Fact]
    public async Task TheDocsPageServesItsOwnScriptsAndStyles()
    {
        var client = env.Api.CreateClient();

        var page = await client.GetAsync("/docs/");
        var html = await page.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.DoesNotMatch(ExternalAsset(), html);
        foreach (Match script in ScriptSource().Matches(html))
        {
            var asset = await client.GetAsync("/docs/" + script.Groups["src"].Value);
            Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
            Assert.Contains("javascript", asset.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        }
        Assert.Contains("openapi.json", html, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"""type"":\s*\[[^\]]*""(integer|number)""[^\]]*""string""|""type"":\s*\[[^\]]*""string""[^\]]*""(integer|number)""")]
    private static partial Regex MixedNumberAndString();

    [GeneratedRegex(@"(src|href)=""(https?:)?//", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalAsset();

    [GeneratedRegex(@"<script[^>]*src=""(?<src>[^""]+)""")]
    private static partial Regex ScriptSource();
}
