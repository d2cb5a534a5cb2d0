using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Social.Api.Data;
using Social.Api.Infrastructure;

namespace Social.Api.Tests.Infrastructure;

/// <summary>
/// The service in memory, configured through the original's environment variable names, on its
/// own database of the test cluster. Shared by all tests (they use unique e-mails and titles);
/// tests that need other settings make their own with <see cref="CreateAsync"/>.
/// </summary>
public sealed class ApiFactory : WebApplicationFactory<Program>
{
    public const string SecretKey = "test-secret-key-that-is-long-enough-for-hs256-0123456789";

    readonly LocalPostgres _cluster;
    readonly Dictionary<string, string?> _settings;
    readonly Action<IServiceCollection>? _services;

    ApiFactory(LocalPostgres cluster, IReadOnlyDictionary<string, string?>? overrides, Action<IServiceCollection>? services)
    {
        _cluster = cluster;
        _services = services;
        _settings = new()
        {
            ["DATABASE_HOSTNAME"] = "127.0.0.1",
            ["DATABASE_PORT"] = cluster.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["DATABASE_USERNAME"] = "postgres",
            ["DATABASE_PASSWORD"] = cluster.Password,
            ["SECRET_KEY"] = SecretKey,
            ["ALGORITHM"] = "HS256",
            ["ACCESS_TOKEN_EXPIRE_MINUTES"] = "60",
            // Cheap hashes keep the suite fast; the default (12) is checked separately.
            ["BCRYPT_COST"] = "4",
            // The suite logs in hundreds of times a minute from one client; throttling has its own tests.
            ["LOGIN_IP_LIMIT"] = "100000/min",
            ["REGISTER_IP_LIMIT"] = "100000/min",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
            _settings[key] = value;
    }

    public string DatabaseName => _settings["DATABASE_NAME"]!;

    /// <summary>
    /// A factory with its own database and the given settings on top of the defaults;
    /// <paramref name="services"/> replaces services after the service's own (for what no setting reaches).
    /// </summary>
    public static async Task<ApiFactory> CreateAsync(
        LocalPostgres cluster, IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var factory = await CreateUnstartedAsync(cluster, settings, services);
        await factory.WaitUntilReadyAsync();
        return factory;
    }

    /// <summary>A factory whose host starts with the first request, for tests of start-up itself.</summary>
    public static async Task<ApiFactory> CreateUnstartedAsync(
        LocalPostgres cluster, IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var factory = new ApiFactory(cluster, settings, services);
        if (!factory._settings.ContainsKey("DATABASE_NAME"))
            factory._settings["DATABASE_NAME"] = await cluster.CreateUniqueDatabaseAsync("api");
        return factory;
    }

    /// <summary>Starts the host (if needed) and waits until /health/ready says it can serve.</summary>
    public async Task WaitUntilReadyAsync()
    {
        using var client = CreateClient();
        await Eventually.HoldsAsync(() => Eventually.AnswersOkAsync(client, "/health/ready"), "the service ready", TimeSpan.FromSeconds(30));
    }

    // Host configuration is visible to Program before builder.Build(), where settings are read.
    protected override IHost CreateHost(IHostBuilder builder)
    {
        builder.ConfigureHostConfiguration(config => config.AddInMemoryCollection(_settings));
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        return base.CreateHost(builder);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        if (_services is not null)
            builder.ConfigureTestServices(_services);
    }

    /// <summary>Every log line the service wrote, formatted, for assertions about what is (not) logged.</summary>
    public CapturedLogs Logs { get; } = new();

    /// <summary>A client whose every response is checked against the committed OpenAPI document.</summary>
    public new HttpClient CreateClient() => CreateDefaultClient(new OpenApiConformanceHandler());

    public Task<NpgsqlConnection> OpenDatabaseAsync() => _cluster.OpenAsync(DatabaseName);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
