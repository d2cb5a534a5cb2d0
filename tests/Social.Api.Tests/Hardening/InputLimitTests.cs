using System.Net;
using System.Text;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.ApiClient;

namespace Social.Api.Tests.Hardening;

/// <summary>T04, T29, T30, T32: hostile or oversized input is a clear 4xx, never a 5xx.</summary>
public sealed class InputLimitTests(TestEnvironment env)
{
    [Fact]
    public async Task DuplicateKeysAre422RatherThanSilentlyPickingOne()
    {
        var user = await env.Api.CreateUserAsync();

        var response = await user.Client.PostAsync("/posts/", RawJson("""{"title":"a","title":"b","content":"c"}"""));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
    }

    [Fact]
    public async Task DeeplyNestedJsonIs422()
    {
        var user = await env.Api.CreateUserAsync();
        var nested = "{\"title\":\"t\",\"content\":\"c\",\"x\":" + new string('[', 10_000) + new string(']', 10_000) + "}";

        var response = await user.Client.PostAsync("/posts/", RawJson(nested));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
    }

    [Fact]
    public async Task AnOverlongSearchIs422()
    {
        var user = await env.Api.CreateUserAsync();

        var ok = await user.Client.GetAsync($"/posts/?search={new string('a', 256)}");
        var tooLong = await user.Client.GetAsync($"/posts/?search={new string('a', 257)}");
        var patterns = await user.Client.GetAsync($"/posts/?search={Uri.EscapeDataString(string.Concat(Enumerable.Repeat("%a", 128)))}");

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooLong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, patterns.StatusCode);
    }

    [Theory]
    [InlineData(1_024, HttpStatusCode.Created)]
    [InlineData(1_025, HttpStatusCode.UnprocessableEntity)]
    public async Task PasswordsAreCappedAtRegistration(int length, HttpStatusCode expected)
    {
        var response = await env.Api.CreateClient().RegisterAsync(UniqueEmail(), new string('p', length));

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task AnOverlongEmailIs422()
    {
        var email = new string('a', 60) + "@" + string.Join(".", Enumerable.Repeat(new string('b', 60), 4)) + ".com";

        var response = await env.Api.CreateClient().RegisterAsync(email);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
    }

    [Theory]
    [InlineData("username=" + "u")]
    [InlineData("username=a%40b.com&password=x&username=c%40d.com")]
    [InlineData("username=a%0D%0Ab.com&password=x%00y")]
    public async Task OddLoginFormsAreAClientError(string form)
    {
        var response = await env.Api.CreateClient().PostAsync("/login", new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
    }

    [Fact]
    public async Task AHugeUsernameIsJustAFailedLogin()
    {
        var response = await env.Api.CreateClient().LoginAsync(new string('u', 10_000) + "@example.com", "x");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task MalformedMultipartIsAClientError()
    {
        var content = new StringContent("--x\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nbroken", Encoding.UTF8);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("multipart/form-data; boundary=x");

        var response = await env.Api.CreateClient().PostAsync("/login", content);

        Assert.InRange((int)response.StatusCode, 400, 499);
    }
}
