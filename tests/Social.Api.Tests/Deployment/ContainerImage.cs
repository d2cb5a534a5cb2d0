using System.Text.Json.Nodes;
using Social.Api.Tests.Infrastructure;

namespace Social.Api.Tests.Deployment;

/// <summary>
/// The repository's Dockerfile built once for a test class with Debian's podman, on the local
/// stand-ins for Microsoft's base images (scripts/container-base-images makes them), and the
/// containers run from it. The image and every container are removed at the end, whatever happened.
/// </summary>
public sealed class ContainerImage : IAsyncLifetime
{
    const string PodmanProgram = "/usr/bin/podman";
    const string Sdk = "localhost/dotnet-sdk:10.0", Base = "localhost/dotnet-runtime-deps:10.0";

    // The settings this sandbox needs (runc, cgroupfs, no default ulimits): ../shared/containers.md.
    static readonly Dictionary<string, string> PodmanEnvironment = new() { ["CONTAINERS_CONF"] = Repository.PathOf("scripts", "containers.conf") };

    readonly List<string> _containers = [];
    readonly List<string> _missing = [];
    string? _buildFailure;

    public string Tag { get; } = $"localhost/social-api-test:{Guid.NewGuid():N}";

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(PodmanProgram))
        {
            _missing.Add("podman and runc (apt-get install podman runc)");
            return;
        }
        foreach (var image in new[] { Sdk, Base })
        {
            if ((await PodmanAsync(["image", "exists", image])).ExitCode != 0)
                _missing.Add($"the base image {image} (scripts/container-base-images)");
        }
        if (_missing.Count > 0)
            return;

        // As containers.md builds: the host's network and certificate store reach the NuGet registry,
        // and the host's package folder saves downloading what it holds already. The docker format
        // keeps the HEALTHCHECK, which OCI images cannot carry.
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        Directory.CreateDirectory(packages);
        var (exitCode, output, error) = await PodmanAsync(
            ["build", "--format", "docker", "--layers=false", "--network", "host",
             "-v", "/etc/ssl/certs:/etc/ssl/certs:ro", "-v", $"{packages}:/root/.nuget/packages",
             "--build-arg", $"SDK={Sdk}", "--build-arg", $"BASE={Base}",
             "-t", Tag, "-f", Repository.PathOf("Dockerfile"), Repository.Root],
            TimeSpan.FromMinutes(10));
        if (exitCode != 0)
            _buildFailure = $"podman build exited with {exitCode}:\n{Tail(output)}\n{Tail(error)}";
    }

    /// <summary>Skips the test where podman or the base images are missing (fails in CI); fails it when the image did not build.</summary>
    public void Require()
    {
        ExternalProcess.Require(_missing, "the container check");
        if (_buildFailure is not null)
            Assert.Fail(_buildFailure);
    }

    /// <summary>Runs podman with this sandbox's settings, bounded in time.</summary>
    public static Task<(int ExitCode, string Output, string Error)> PodmanAsync(IEnumerable<string> arguments, TimeSpan? timeout = null) =>
        ExternalProcess.RunAsync(PodmanProgram, arguments, PodmanEnvironment, timeout);

    /// <summary>Runs podman and returns its standard output, failing the test when it fails.</summary>
    public static async Task<string> OutputAsync(params string[] arguments)
    {
        var (exitCode, output, error) = await PodmanAsync(arguments);
        Assert.True(exitCode == 0, $"podman {string.Join(' ', arguments)} exited with {exitCode}: {error}");
        return output;
    }

    public static async Task<JsonNode> InspectAsync(string what, string name) =>
        JsonNode.Parse(await OutputAsync(what, "inspect", name))![0]!;

    /// <summary>A name for a new container, removed when disposed, or with the image at the end.</summary>
    public Container NewContainer(string url = "")
    {
        var name = $"social-test-{Guid.NewGuid():N}";
        lock (_containers)
            _containers.Add(name);
        return new Container(name, url);
    }

    /// <summary>
    /// The image in a container on the host's network, given the original's variables for a database
    /// of the test cluster, and listening on a free loopback port instead of every interface's 8000.
    /// </summary>
    public async Task<Container> StartAsync(TestEnvironment env, string database)
    {
        var container = NewContainer($"http://127.0.0.1:{ServiceProcess.FreePort()}");
        await OutputAsync([.. RunArguments(env, database, container.Name), "-d", "-e", $"ASPNETCORE_URLS={container.Url}", Tag]);
        return container;
    }

    /// <summary><c>podman run</c> with the original's variables (DATABASE_*, SECRET_KEY, ALGORITHM, ACCESS_TOKEN_EXPIRE_MINUTES) for <paramref name="database"/>.</summary>
    public static string[] RunArguments(TestEnvironment env, string database, string name) =>
    [
        "run", "--name", name, "--network", "host",
        "-e", "DATABASE_HOSTNAME=127.0.0.1", "-e", $"DATABASE_PORT={env.Cluster.Port}",
        "-e", "DATABASE_USERNAME=postgres", "-e", $"DATABASE_PASSWORD={env.Cluster.Password}",
        "-e", $"DATABASE_NAME={database}", "-e", $"SECRET_KEY={ApiFactory.SecretKey}",
        "-e", "ALGORITHM=HS256", "-e", "ACCESS_TOKEN_EXPIRE_MINUTES=30",
    ];

    static async Task RemoveContainerAsync(string name) =>
        await PodmanAsync(["rm", "--force", "--time", "0", name]);

    public async ValueTask DisposeAsync()
    {
        List<string> containers;
        lock (_containers)
            containers = [.. _containers];
        foreach (var name in containers)
            await RemoveContainerAsync(name);
        if (_missing.Count == 0)
            await PodmanAsync(["rmi", "--force", Tag]);
    }

    static string Tail(string text) => text.Length <= 4000 ? text : text[^4000..];

    /// <summary>A container by name (and the address it listens on, when the test chose it); disposing removes it.</summary>
    public sealed record Container(string Name, string Url) : IAsyncDisposable
    {
        /// <summary>What the container wrote, standard output and error.</summary>
        public async Task<string> LogsAsync()
        {
            var (_, output, error) = await PodmanAsync(["logs", Name]);
            return output + error;
        }

        public async ValueTask DisposeAsync() => await RemoveContainerAsync(Name);
    }
}
