using Social.Api.Tests.Infrastructure;

namespace Social.Api.Tests.ApiDocs;

/// <summary>The response checker that every test client runs must itself catch drift.</summary>
public sealed class OpenApiConformanceTests
{
    static readonly OpenApiConformance Contract = OpenApiConformance.Committed;
    const string User = """{"id":1,"email":"a@example.com","created_at":"2026-11-26T08:17:24.841790+00:00"}""";
    const string Json = "application/json";

    [Fact]
    public void AResponseAsDocumentedPasses() =>
        Contract.Check(HttpMethod.Get, "/users/1", 200, Json, User);

    [Theory]
    [InlineData("GET", "/users/1", 418, Json, User)]
    [InlineData("GET", "/users/1", 200, Json, """{"id":1,"email":"a@example.com"}""")]
    [InlineData("GET", "/users/1", 200, Json, """{"id":1,"email":"a@example.com","created_at":"2026-11-26T08:17:24+00:00","password":"$2b$"}""")]
    [InlineData("GET", "/users/1", 200, Json, """{"id":"1","email":"a@example.com","created_at":"2026-11-26T08:17:24+00:00"}""")]
    [InlineData("GET", "/users/1", 200, Json, """{"id":1,"email":"a@example.com","created_at":"yesterday"}""")]
    [InlineData("GET", "/users/1", 200, "text/plain", User)]
    [InlineData("GET", "/users/1", 200, null, User)]
    [InlineData("DELETE", "/posts/1", 204, null, """{"detail":"gone"}""")]
    [InlineData("POST", "/posts/", 422, Json, """{"detail":"not a list"}""")]
    public void AnUndocumentedStatusBodyOrMediaTypeIsCaught(string method, string path, int status, string? mediaType, string body)
    {
        Assert.Throws<OpenApiViolationException>(() => Contract.Check(new HttpMethod(method), path, status, mediaType, body));
    }

    [Fact]
    public void PathsTheDocumentDoesNotDescribeAreLeftAlone() =>
        Contract.Check(HttpMethod.Get, "/health/live", 200, "text/plain", """{"status":"healthy"}""");
}
