using System.Net;
using System.Net.Http.Headers;
using Social.Api.Tests.Infrastructure;

namespace Social.Api.Tests.Configuration;

/// <summary>
/// The service keeps nothing in the home folder of the account it runs as: a deployment's state is
/// its database and its settings, and a read-only or shared home must not matter.
/// </summary>
public sealed class UserProfileTests(TestEnvironment env) : IDisposable
{
    readonly string _home = Directory.CreateTempSubdirectory("social-home-").FullName;

    [Fact]
    public async Task ServingAndSigningInWriteNothingToTheHomeFolder()
    {
        var started = await ServiceProcess.StartOnNewDatabaseAsync(env, "home", new Dictionary<string, string> { ["HOME"] = _home });
        using var service = started.Service;
        using var client = new HttpClient { BaseAddress = new Uri(started.Url) };
        var token = await client.RegisterAndLogInAsync(ApiClient.UniqueEmail("home"));
        var posts = new HttpRequestMessage(HttpMethod.Get, "/posts/") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(posts)).StatusCode);
        service.Interrupt();
        Assert.Equal(0, await service.ExitCodeAsync());

        // Before: ASP.NET Core's data protection wrote a key ring to ~/.aspnet on the first start.
        Assert.Empty(Directory.EnumerateFileSystemEntries(_home, "*", SearchOption.AllDirectories));
    }

    public void Dispose() => Directory.Delete(_home, recursive: true);
}
