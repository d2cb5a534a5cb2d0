using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.ApiClient;

namespace Social.Api.Tests.Deployment;

/// <summary>
/// The repository's Dockerfile as podman builds and runs it (ContainerImage), on new databases of
/// the test cluster, configured through the original's variables only: what the image promises a
/// user of the original who swaps the image name in their compose file.
/// </summary>
public sealed class ContainerTests(TestEnvironment env, ContainerImage image) : IClassFixture<ContainerImage>
{
    [Fact]
    public async Task TheImageRunsAsAnUnprivilegedUserOnPort8000WithAHealthcheckAndNoSecrets()
    {
        image.Require();
        var inspected = await ContainerImage.InspectAsync("image", image.Tag);
        var config = inspected["Config"]!;

        Assert.Equal("1654", config["User"]!.GetValue<string>());
        Assert.Equal(["/app/Social.Api"], config["Entrypoint"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.Equal(["8000/tcp"], config["ExposedPorts"]!.AsObject().Select(p => p.Key));
        // podman shows the HEALTHCHECK beside the image's Config, docker inside it.
        var healthcheck = inspected["Healthcheck"] ?? config["Healthcheck"];
        Assert.Equal(["CMD", "/app/Social.Api", "healthcheck"], healthcheck!["Test"]!.AsArray().Select(e => e!.GetValue<string>()));
        var variables = config["Env"]!.AsArray().Select(e => e!.GetValue<string>().Split('=')[0]).ToList();
        Assert.Contains("ASPNETCORE_URLS", variables);
        Assert.DoesNotContain(variables, name => name.Contains("SECRET", StringComparison.Ordinal) || name.StartsWith("DATABASE_", StringComparison.Ordinal));
        // Nothing of the build context beyond the published service: no .env, no sources.
        var files = await ContainerImage.OutputAsync("run", "--rm", "--entrypoint", "ls", image.Tag, "-A", "/app");
        Assert.DoesNotContain(".env", files.Split('\n'));
        Assert.DoesNotContain(files.Split('\n'), file => file.EndsWith(".cs", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheContainerMigratesAFreshDatabaseAndAnswersTheReadmeFlow()
    {
        image.Require();
        var database = await env.Cluster.CreateUniqueDatabaseAsync("container");
        await using var container = await image.StartAsync(env, database);
        await WaitUntilReadyAsync(container);
        await using (var db = await env.Cluster.OpenAsync(database))
        {
            var tables = await Sql.RowsAsync(db, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
            Assert.Subset(tables.ToHashSet(), new HashSet<string> { "users", "posts", "votes", "alembic_version" });
        }

        // The README's curl flow.
        using var client = new HttpClient { BaseAddress = new Uri(container.Url), Timeout = TimeSpan.FromSeconds(30) };
        var email = UniqueEmail("container");
        Assert.Equal(HttpStatusCode.Created, (await client.RegisterAsync(email)).StatusCode);
        var login = await client.LoginAsync(email);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await login.JsonAsync())["access_token"]!.GetValue<string>());
        var created = await client.PostAsJsonAsync("/posts/", new { title = "Hello", content = "First post" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var postId = (await created.JsonAsync())["id"]!.GetValue<int>();
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/vote/", new { post_id = postId, dir = 1 })).StatusCode);
        var post = await client.GetAsync($"/posts/{postId}");
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        var body = await post.JsonAsync();
        Assert.Equal("Hello", body["Post"]!["title"]!.GetValue<string>());
        Assert.Equal(1, body["votes"]!.GetValue<int>());

        // The image's own HEALTHCHECK passes, and the service runs under uid and gid 1654, not root.
        var (healthExit, _, healthError) = await ContainerImage.PodmanAsync(["healthcheck", "run", container.Name]);
        Assert.True(healthExit == 0, $"podman healthcheck run exited with {healthExit}: {healthError}");
        var pid = (await ContainerImage.InspectAsync("container", container.Name))["State"]!["Pid"]!.GetValue<int>();
        var status = await File.ReadAllLinesAsync($"/proc/{pid}/status");
        Assert.Equal("Uid:\t1654\t1654\t1654\t1654", status.Single(line => line.StartsWith("Uid:", StringComparison.Ordinal)));
        Assert.Equal("Gid:\t1654\t1654\t1654\t1654", status.Single(line => line.StartsWith("Gid:", StringComparison.Ordinal)));
        // The image turns Npgsql's GSS encryption off, since it has no Kerberos libraries to try it with.
        Assert.DoesNotContain("libgssapi", await container.LogsAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ByDefaultTheServiceListensOnPort8000OfEveryInterfaceWhereTheHealthcheckFindsIt()
    {
        image.Require();
        // A network of its own (only its loopback), so 8000 is free whatever the host runs; the
        // database is unreachable there, which liveness does not depend on.
        await using var container = image.NewContainer();
        await ContainerImage.OutputAsync("run", "-d", "--name", container.Name, "--network", "none",
            "-e", "DATABASE_HOSTNAME=127.0.0.1", "-e", "DATABASE_USERNAME=postgres", "-e", "DATABASE_NAME=unreachable",
            "-e", $"SECRET_KEY={ApiFactory.SecretKey}", image.Tag);

        await Eventually.HoldsAsync(async () => (await ContainerImage.PodmanAsync(["healthcheck", "run", container.Name])).ExitCode == 0,
            "podman healthcheck run passing", TimeSpan.FromSeconds(30));
        Assert.Contains("Now listening on: http://[::]:8000", await container.LogsAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SigtermStopsTheContainerPromptlyWithExitCode0()
    {
        image.Require();
        await using var container = await image.StartAsync(env, await env.Cluster.CreateUniqueDatabaseAsync("container"));
        await WaitUntilReadyAsync(container);

        await ContainerImage.OutputAsync("kill", "--signal", "TERM", container.Name);
        // podman wait prints the exit code; the bound is well inside SHUTDOWN_TIMEOUT_SECONDS' default.
        var (exitCode, output, error) = await ContainerImage.PodmanAsync(["wait", container.Name], TimeSpan.FromSeconds(15));
        Assert.True(exitCode == 0, $"podman wait exited with {exitCode}: {error}");
        Assert.Equal("0", output.Trim());
        Assert.Contains("Application is shutting down", await container.LogsAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunWithMigrateMigratesAFreshDatabaseAndExits0()
    {
        image.Require();
        var database = await env.Cluster.CreateUniqueDatabaseAsync("container");
        await using var container = image.NewContainer();

        var (exitCode, output, error) = await ContainerImage.PodmanAsync([.. ContainerImage.RunArguments(env, database, container.Name), image.Tag, "migrate"]);

        Assert.True(exitCode == 0, $"migrate exited with {exitCode}:\n{output}\n{error}");
        Assert.Contains("info: database migrated", output, StringComparison.Ordinal);
        await using var db = await env.Cluster.OpenAsync(database);
        Assert.Equal(1, await Sql.CountAsync(db, "SELECT count(*) FROM alembic_version"));
        Assert.Equal(0, await Sql.CountAsync(db, "SELECT count(*) FROM users"));
    }

    /// <summary>Waits for /health/ready (200 once the schema is migrated); on failure, says what the container logged.</summary>
    static async Task WaitUntilReadyAsync(ContainerImage.Container container)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            await Eventually.HoldsAsync(() => Eventually.AnswersOkAsync(client, container.Url + "/health/ready"),
                $"the container answering {container.Url}/health/ready", TimeSpan.FromSeconds(90));
        }
        catch (Xunit.Sdk.XunitException e)
        {
            Assert.Fail($"{e.Message}\n{await container.LogsAsync()}");
        }
    }
}
