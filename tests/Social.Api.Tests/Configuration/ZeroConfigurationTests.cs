using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Social.Api.Tests.Infrastructure;

namespace Social.Api.Tests.Configuration;

/// <summary>
/// The README's run command (its launch profile: the Development environment) with nothing configured: a private cluster in the checkout's data
/// folder, a kept development secret, data and tokens that survive a restart, and Ctrl-C
/// stopping both the server and the cluster.
/// </summary>
public sealed class ZeroConfigurationTests : IDisposable
{
    readonly string _checkout = Directory.CreateTempSubdirectory("social-zero-config-").FullName;

    public ZeroConfigurationTests() =>
        // A checkout is normally readable by others (the cluster runs as postgres when tests run as root).
        File.SetUnixFileMode(_checkout, File.GetUnixFileMode(_checkout) | UnixFileMode.GroupExecute | UnixFileMode.GroupRead | UnixFileMode.OtherExecute | UnixFileMode.OtherRead);

    [Fact]
    public async Task RunsWithNoConfigurationAndKeepsDataAndTokensAcrossRestarts()
    {
        var port = ServiceProcess.FreePort();
        var url = $"http://127.0.0.1:{port}";
        using var client = new HttpClient { BaseAddress = new Uri(url) };
        var email = ApiClient.UniqueEmail("zero");
        string token;

        using (var first = Start(url))
        {
            await first.WaitUntilServingAsync(url + "/");
            token = await client.RegisterAndLogInAsync(email);
            first.Interrupt();
            Assert.Equal(0, await first.ExitCodeAsync());
        }

        var data = Path.Combine(_checkout, ".data");
        Assert.True(File.Exists(Path.Combine(data, "secret_key")));
        Assert.True(File.Exists(Path.Combine(data, "postgres", "pgdata", "PG_VERSION")));
        Assert.False(File.Exists(Path.Combine(data, "postgres", "pgdata", "postmaster.pid")), "Ctrl-C stops the cluster too");

        using (var second = Start(url))
        {
            await second.WaitUntilServingAsync(url + "/");
            Assert.Equal(HttpStatusCode.OK, (await client.LoginAsync(email)).StatusCode);
            var posts = new HttpRequestMessage(HttpMethod.Get, "/posts/") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(posts)).StatusCode);
            second.Interrupt();
            Assert.Equal(0, await second.ExitCodeAsync());
        }
    }

    // What `dotnet run --project src/Social.Api` sets: the launch profile's variables, nothing else.
    static Dictionary<string, string> LaunchProfile()
    {
        var launch = JsonNode.Parse(File.ReadAllText(Repository.PathOf("src", "Social.Api", "Properties", "launchSettings.json")))!;
        var variables = launch["profiles"]!["Social.Api"]!["environmentVariables"]!.AsObject();
        return variables.ToDictionary(v => v.Key, v => v.Value!.GetValue<string>());
    }

    [Fact]
    public void TheLaunchProfileRunsInDevelopment() => Assert.Equal("Development", LaunchProfile()["ASPNETCORE_ENVIRONMENT"]);

    ServiceProcess Start(string url) => ServiceProcess.Start(_checkout, LaunchProfile(), "--urls", url);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_checkout, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
