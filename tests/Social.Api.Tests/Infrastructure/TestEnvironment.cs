[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")] // the tests drive PostgreSQL binaries and POSIX signals
[assembly: AssemblyFixture(typeof(Social.Api.Tests.Infrastructure.TestEnvironment))]

namespace Social.Api.Tests.Infrastructure;

/// <summary>What every test class gets: the test cluster and one shared, migrated service.</summary>
public sealed class TestEnvironment : IAsyncLifetime
{
    public TestCluster Cluster { get; } = new();

    ApiFactory? _api;

    public ApiFactory Api => _api ?? throw new InvalidOperationException("The environment is not started.");

    public async ValueTask InitializeAsync()
    {
        await Cluster.InitializeAsync();
        _api = await ApiFactory.CreateAsync(Cluster);
    }

    public async ValueTask DisposeAsync()
    {
        if (_api is not null)
            await _api.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}
