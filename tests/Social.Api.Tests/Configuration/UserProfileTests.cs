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
        var database = await env.Cluster.CreateUniqueDatabaseAsync("home");
        var url = $"http://127.0.0.1:{ServiceProcess.FreePort()}";
        using var service = ServiceProcess.Start(AppContext.BaseDirectory, new Dictionary<string, string>
        {
            ["HOME"] = _home,
            ["DATABASE_URL"] = $"postgresql://postgres:{env.Cluster.Password}@127.0.0.1:{env.Cluster.Port}/{database}",
            ["SECRET_KEY"] = ApiFactory.SecretKey,
            ["BCRYPT_COST"] = "4",
        }, "--urls", url);
        await service.WaitUntilServingAsync(url + "/health/ready");

        using var client = new HttpClient { BaseAddress = new Uri(url) };
        var email = ApiClient.UniqueEmail("home");
        Assert.Equal(HttpStatusCode.Created, (await client.RegisterAsync(email)).StatusCode);
        var token = (await (await client.LoginAsync(email)).JsonAsync())["access_token"]!.GetValue<string>();
        var posts = new HttpRequestMessage(HttpMethod.Get, "/posts/") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(posts)).StatusCode);
        service.Interrupt();
        Assert.Equal(0, await service.ExitCodeAsync());

        // Before: ASP.NET Core's data protection wrote a key ring to ~/.aspnet on the first start.
        Assert.Empty(Directory.EnumerateFileSystemEntries(_home, "*", SearchOption.AllDirectories));
    }

    public void Dispose() => Directory.Delete(_home, recursive: true);
}
