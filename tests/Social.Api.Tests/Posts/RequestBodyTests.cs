using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.ApiClient;

namespace Social.Api.Tests.Posts;

/// <summary>The contract's table of how JSON bodies are read (section 1.4), on every JSON endpoint.</summary>
public sealed class RequestBodyTests(TestEnvironment env)
{
    public static TheoryData<string, string> JsonEndpoints => new()
    {
        { "POST", "/users/" },
        { "POST", "/posts/" },
        { "PUT", "/posts/{id}" },
        { "POST", "/vote/" },
    };

    async Task<HttpResponseMessage> SendAsync(string method, string path, HttpContent? content)
    {
        var user = await env.Api.CreateUserAsync();
        var id = (await user.CreatePostAsync())["id"]!.ToJsonString();
        return await user.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path.Replace("{id}", id, StringComparison.Ordinal)) { Content = content });
    }

    [Theory]
    [MemberData(nameof(JsonEndpoints))]
    public async Task NoBodyOrJsonNullIsFieldRequired(string method, string path)
    {
        foreach (var content in new HttpContent?[] { null, RawJson("null") })
        {
            var response = await SendAsync(method, path, content);

            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            var error = (await response.JsonAsync())["detail"]![0]!;
            Assert.Equal("""["body"]""", error["loc"]!.ToJsonString());
            Assert.Equal("value_error.missing", error["type"]!.GetValue<string>());
        }
    }

    [Theory]
    [MemberData(nameof(JsonEndpoints))]
    public async Task NonObjectsAreNotAValidDict(string method, string path)
    {
        foreach (var json in new[] { "[]", "\"text\"", "42", "[[\"title\",\"t\"]]" })
        {
            var response = await SendAsync(method, path, RawJson(json));

            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        }
    }

    [Theory]
    [MemberData(nameof(JsonEndpoints))]
    public async Task ANonJsonContentTypeIs422AndTheBodyIsNotRead(string method, string path)
    {
        var response = await SendAsync(method, path, RawJson("""{"title":"t","content":"c"}""", "text/plain"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("type_error.dict", (await response.JsonAsync())["detail"]![0]!["type"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(JsonEndpoints))]
    public async Task InvalidUtf8Is400(string method, string path)
    {
        var content = new ByteArrayContent([(byte)'{', (byte)'"', 0xff, 0xfe, (byte)'"', (byte)':', (byte)'1', (byte)'}']);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        var response = await SendAsync(method, path, content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("There was an error parsing the body", await response.DetailAsync());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/merge-patch+json")]
    public async Task JsonIsReadWithAJsonContentTypeOrNone(string? contentType)
    {
        var user = await env.Api.CreateUserAsync();

        var response = await user.Client.PostAsync("/posts/", RawJson("""{"title":"t","content":"c","unknown":[1,{"x":2}]}""", contentType));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task MalformedJsonIs422WithTheOffset()
    {
        var user = await env.Api.CreateUserAsync();

        var response = await user.Client.PostAsync("/posts/", RawJson("{bad"));

        var error = (await response.JsonAsync())["detail"]![0]!;
        Assert.Equal("""["body",1]""", error["loc"]!.ToJsonString());
        Assert.Equal("value_error.jsondecode", error["type"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"content": "c"}""", "title")]
    [InlineData("""{"title": "t"}""", "content")]
    [InlineData("""{"title": null, "content": "c"}""", "title")]
    [InlineData("""{"title": ["t"], "content": "c"}""", "title")]
    [InlineData("""{"title": "t", "content": {"a": 1}}""", "content")]
    [InlineData("""{"title": "t", "content": "c", "published": null}""", "published")]
    [InlineData("""{"title": "t", "content": "c", "published": [true]}""", "published")]
    [InlineData("""{"title": "t", "content": "c", "published": 2}""", "published")]
    [InlineData("""{"title": "t", "content": "c", "published": "maybe"}""", "published")]
    [InlineData("""{"title": "a\u0000b", "content": "c"}""", "title")]
    [InlineData("""{"title": "t", "content": "\ud800"}""", "content")]
    public async Task InvalidFieldsAre422AtTheirLocation(string json, string field)
    {
        var user = await env.Api.CreateUserAsync();

        var response = await user.Client.PostAsync("/posts/", RawJson(json));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var locs = (await response.JsonAsync())["detail"]!.AsArray().Select(e => e!["loc"]!.ToJsonString());
        Assert.Equal([$"""["body","{field}"]"""], locs);
    }

    [Fact]
    public async Task MissingTitleAndContentAreReportedTogether()
    {
        var user = await env.Api.CreateUserAsync();

        var response = await user.Client.PostAsync("/posts/", RawJson("{}"));

        var errors = (await response.JsonAsync())["detail"]!.AsArray();
        Assert.Equal(["""["body","title"]""", """["body","content"]"""], errors.Select(e => e!["loc"]!.ToJsonString()));
        Assert.All(errors, e => Assert.Equal("value_error.missing", e!["type"]!.GetValue<string>()));
    }

    [Fact]
    public async Task TextRoundTripsExactlyIncludingEmptyAndUnicode()
    {
        var user = await env.Api.CreateUserAsync();
        const string content = "Grüße 🚀 \"quotes\" <script>alert(1)</script> \r\n\t‮";

        var post = await user.CreatePostAsync(title: "", content: content);

        Assert.Equal("", post["title"]!.GetValue<string>());
        Assert.Equal(content, post["content"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(1_000, 100_000, HttpStatusCode.Created)]
    [InlineData(1_001, 1, HttpStatusCode.UnprocessableEntity)]
    [InlineData(1, 100_001, HttpStatusCode.UnprocessableEntity)]
    public async Task TitleAndContentLengthsAreCappedOnWrite(int titleLength, int contentLength, HttpStatusCode expected)
    {
        var user = await env.Api.CreateUserAsync();

        var response = await user.Client.PostAsJsonAsync("/posts/", new { title = new string('t', titleLength), content = new string('c', contentLength) });

        Assert.Equal(expected, response.StatusCode);
    }
}
