[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")] // the tests drive PostgreSQL binaries and POSIX signals
[assembly: AssemblyFixture(typeof(Social.Api.Tests.Infrastructure.TestEnvironment))]

namespace Social.Api.Tests.Infrastructure;

/// <summary>
/// What every test class gets: one throw-away PostgreSQL cluster for the whole run, started with
/// the service's own private-cluster mechanism (as the postgres user when run as root), and one
/// shared, migrated service on its own database in it.
/// </summary>
public sealed class TestEnvironment : IAsyncLifetime
{
    readonly TemporaryCluster _cluster = new("social-tests", durable: false, "max_connections=300");
    ApiFactory? _api;

    public Social.Api.Data.LocalPostgres Cluster => _cluster.Postgres;

    public ApiFactory Api => _api ?? throw new InvalidOperationException("The environment is not started.");

    public async ValueTask InitializeAsync() => _api = await ApiFactory.CreateAsync(Cluster);

    public async ValueTask DisposeAsync()
    {
        if (_api is not null)
            await _api.DisposeAsync();
        _cluster.Dispose();
    }
}
