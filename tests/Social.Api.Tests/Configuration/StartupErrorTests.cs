using System.Net;
using System.Net.Sockets;
using Social.Api.Tests.Infrastructure;

namespace Social.Api.Tests.Configuration;

/// <summary>A bad setting stops the process at start-up with one line naming the variable.</summary>
public sealed class StartupErrorTests(TestEnvironment env) : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("social-config-").FullName;

    Dictionary<string, string> Database() => new()
    {
        ["DATABASE_HOSTNAME"] = "127.0.0.1",
        ["DATABASE_PORT"] = env.Cluster.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["DATABASE_USERNAME"] = "postgres",
        ["DATABASE_PASSWORD"] = env.Cluster.Password,
        ["DATABASE_NAME"] = "postgres",
    };

    async Task<string> FailingStartAsync(Dictionary<string, string> environment, int? port = null)
    {
        using var service = ServiceProcess.Start(_folder, environment, "--urls", $"http://127.0.0.1:{port ?? ServiceProcess.FreePort()}");

        Assert.Equal(2, await service.ExitCodeAsync());
        var lines = service.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        return line;
    }

    [Fact]
    public async Task APortAlreadyInUseIsNamedOnOneLine()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var environment = Database();
        environment["SECRET_KEY"] = ApiFactory.SecretKey;

        Assert.Contains($"127.0.0.1:{port}: address already in use", await FailingStartAsync(environment, port), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SECRET_KEY", "short", "SECRET_KEY is 5 bytes long")]
    [InlineData("SECRET_KEY", "09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7", "well-known")]
    [InlineData("ALGORITHM", "RS256", "ALGORITHM")]
    [InlineData("ACCESS_TOKEN_EXPIRE_MINUTES", "soon", "ACCESS_TOKEN_EXPIRE_MINUTES")]
    [InlineData("ACCESS_TOKEN_EXPIRE_MINUTES", "0", "ACCESS_TOKEN_EXPIRE_MINUTES")]
    [InlineData("DATABASE_PORT", "post", "DATABASE_PORT")]
    [InlineData("DATABASE_URL", "mysql://u:p@host/db", "DATABASE_URL")]
    [InlineData("MIGRATE_ON_STARTUP", "sometimes", "MIGRATE_ON_STARTUP")]
    [InlineData("PRIVATE_DRAFTS", "maybe", "PRIVATE_DRAFTS is 'maybe'; it must be true or false")]
    public async Task AnInvalidValueNamesTheVariable(string name, string value, string expected)
    {
        var environment = Database();
        environment["SECRET_KEY"] = ApiFactory.SecretKey;
        environment[name] = value;

        Assert.Contains(expected, await FailingStartAsync(environment), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingSecretKeyIsNamedWhenTheDatabaseIsConfigured()
    {
        Assert.Contains("SECRET_KEY is not set", await FailingStartAsync(Database()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task APartialDatabaseConfigurationNamesWhatIsMissing()
    {
        var line = await FailingStartAsync(new() { ["DATABASE_HOSTNAME"] = "db.internal", ["SECRET_KEY"] = ApiFactory.SecretKey });

        Assert.Contains("DATABASE_USERNAME is not set", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheDotEnvFileIsReadFromTheWorkingDirectory()
    {
        await File.WriteAllTextAsync(Path.Combine(_folder, ".env"), "SECRET_KEY=too-short-from-dotenv\n");

        Assert.Contains("SECRET_KEY is 21 bytes long", await FailingStartAsync(Database()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RealEnvironmentVariablesWinOverTheDotEnvFile()
    {
        await File.WriteAllTextAsync(Path.Combine(_folder, ".env"), "SECRET_KEY=too-short-from-dotenv\nDATABASE_NAME=does_not_exist\n");
        var environment = Database();
        environment["SECRET_KEY"] = ApiFactory.SecretKey;
        environment["DATABASE_NAME"] = await env.Cluster.CreateUniqueDatabaseAsync("dotenv");

        using var service = ServiceProcess.Start(_folder, environment, "migrate");

        Assert.True(await service.ExitCodeAsync() == 0, service.Stderr);
    }

    [Fact]
    public async Task InProductionWithNothingConfiguredItNamesBothAndStartsNoDatabase()
    {
        var line = await FailingStartAsync([]);

        Assert.Contains("DATABASE_URL", line, StringComparison.Ordinal);
        Assert.Contains("SECRET_KEY are not set", line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_folder, ".data")), "no private cluster outside Development");
    }

    [Fact]
    public async Task InProductionWithoutADatabaseItNamesTheDatabaseSettings()
    {
        var line = await FailingStartAsync(new() { ["SECRET_KEY"] = ApiFactory.SecretKey, ["ASPNETCORE_ENVIRONMENT"] = "Production" });

        Assert.Contains("DATABASE_URL (or DATABASE_HOSTNAME, DATABASE_USERNAME, DATABASE_PASSWORD and DATABASE_NAME) is not set", line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_folder, ".data")), "no private cluster outside Development");
    }

    [Fact]
    public async Task WithoutPostgresBinariesTheMessageSaysWhatToInstallOrSet()
    {
        var line = await FailingStartAsync(new() { ["POSTGRES_BIN"] = Path.Combine(_folder, "no-such-dir"), ["ASPNETCORE_ENVIRONMENT"] = "Development" });

        Assert.Contains("apt-get install postgresql", line, StringComparison.Ordinal);
        Assert.Contains("DATABASE_URL", line, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
