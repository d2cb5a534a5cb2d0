using System.Text;
using Microsoft.AspNetCore.Http;
using Npgsql;

namespace Social.Api.Infrastructure;

/// <summary>
/// Everything the service reads from its environment, validated once at start-up. The original's
/// variable names are kept (DATABASE_*, SECRET_KEY, ALGORITHM, ACCESS_TOKEN_EXPIRE_MINUTES); the
/// rest are ours, each with the default documented in the README.
/// </summary>
public sealed record Settings(
    DatabaseSettings Database,
    TokenSettings Tokens,
    PasswordSettings Passwords,
    RequestLimits Limits,
    ManagementSettings Management,
    PostSettings Posts,
    TimeSpan ShutdownTimeout)
{
    /// <summary>SHUTDOWN_TIMEOUT_SECONDS' default: how long in-flight requests may take after SIGTERM.</summary>
    public const int DefaultShutdownTimeoutSeconds = 20;

    public static Settings Load(IConfiguration configuration)
    {
        var config = new ConfigReader(configuration);
        return new(
            DatabaseSettings.Load(config),
            TokenSettings.Load(config),
            PasswordSettings.Load(config),
            RequestLimits.Load(config),
            ManagementSettings.Load(config),
            PostSettings.Load(config),
            TimeSpan.FromSeconds(config.Int("SHUTDOWN_TIMEOUT_SECONDS", DefaultShutdownTimeoutSeconds, min: 1, max: 3600)));
    }
}

/// <summary>
/// MANAGEMENT_URLS: the addresses that serve <c>/metrics</c> (and the health checks), never the
/// API; the public addresses never serve <c>/metrics</c>. Unset: no metrics are collected.
/// </summary>
public sealed record ManagementSettings(IReadOnlyList<string> Urls, IReadOnlySet<int> Ports)
{
    public const string Variable = "MANAGEMENT_URLS";

    public static ManagementSettings Load(ConfigReader config)
    {
        var urls = (config.Text(Variable) ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var ports = new HashSet<int>();
        foreach (var url in urls)
        {
            // The port tells a management connection from a public one, so it must be known.
            BindingAddress? address = null;
            try { address = BindingAddress.Parse(url); } catch (FormatException) { }
            if (address is not { Scheme: "http", Port: > 0 })
                throw new InvalidConfigurationException($"{Variable} has '{url}'; it must be http:// addresses with a port other than 0, separated by ';' (for example http://127.0.0.1:9464).");
            ports.Add(address.Port);
        }
        return new(urls, ports);
    }
}

/// <summary>
/// PRIVATE_DRAFTS: when true, unpublished posts are their owner's alone (hidden from every list,
/// read, vote, update and delete of anyone else, as if missing). False by default: the original's
/// behaviour, where every authenticated user reads every post.
/// </summary>
public sealed record PostSettings(bool PrivateDrafts)
{
    public static PostSettings Load(ConfigReader config) => new(config.Bool("PRIVATE_DRAFTS", false));
}

public sealed record DatabaseSettings(
    string? ConnectionString, int PoolSize, int ConnectTimeoutSeconds, int CommandTimeoutSeconds, bool MigrateOnStartup)
{
    public const string UrlVariable = "DATABASE_URL";

    // The original's variables; with any of them set, the database is configured through them.
    public static readonly string[] Variables =
        ["DATABASE_HOSTNAME", "DATABASE_PORT", "DATABASE_USERNAME", "DATABASE_PASSWORD", "DATABASE_NAME"];

    /// <summary>False when neither DATABASE_URL nor any DATABASE_* variable is set (the zero-configuration run).</summary>
    public bool Configured => ConnectionString is not null;

    /// <summary>Several hosts: a primary and its standbys, writes on the one and reads preferably on the others.</summary>
    public bool SeveralHosts => DatabaseHosts.AreSeveral(new NpgsqlConnectionStringBuilder(ConnectionString).Host);

    public static DatabaseSettings Load(ConfigReader config) => new(
        ReadConnectionString(config),
        PoolSize: config.Int("DATABASE_POOL_SIZE", 50, min: 1, max: 1000),
        // Short waits: an unreachable database must turn into a quick 503, not a 15-30 s hang.
        ConnectTimeoutSeconds: config.Int("DATABASE_CONNECT_TIMEOUT", 5, min: 1, max: 300),
        CommandTimeoutSeconds: config.Int("DATABASE_COMMAND_TIMEOUT", 15, min: 1, max: 3600),
        MigrateOnStartup: config.Bool("MIGRATE_ON_STARTUP", true));

    /// <summary>The connection string with this service's pool and timeout settings applied.</summary>
    public string EffectiveConnectionString()
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString)
        {
            MaxPoolSize = PoolSize,
            Timeout = ConnectTimeoutSeconds,
            CommandTimeout = CommandTimeoutSeconds,
            // The few statements this service sends are prepared once per connection and reused.
            MaxAutoPrepare = 32,
            // Nothing here leaves session state behind, so pooled connections skip DISCARD ALL.
            NoResetOnClose = true,
        };
        builder.ApplicationName ??= "social-api";
        if (SeveralHosts)
        {
            // A commit returns once the synchronous standbys have applied it, so a read they serve
            // next sees it (docs/scaling.md); and reads spread over the standbys.
            builder.Options = $"{builder.Options} -c synchronous_commit=remote_apply".TrimStart();
            builder.LoadBalanceHosts = true;
        }
        return builder.ConnectionString;
    }

    static string? ReadConnectionString(ConfigReader config)
    {
        if (config.Text(UrlVariable) is { } url)
            return DatabaseUrlParser.ToConnectionString(url);
        if (!Variables.Any(config.IsSet))
            return null;

        const string why = "the database is configured through DATABASE_* variables, so DATABASE_HOSTNAME, DATABASE_USERNAME and DATABASE_NAME are all needed; or set DATABASE_URL";
        var host = config.Required("DATABASE_HOSTNAME", why);
        var port = config.Int("DATABASE_PORT", 5432, min: 1, max: 65_535);
        if (DatabaseHosts.AreSeveral(host))
            host = DatabaseHosts.Parse(host, port, out var invalid)
                ?? throw new InvalidConfigurationException($"DATABASE_HOSTNAME is '{host}': {invalid}; it must be one host or several separated by commas, each with an optional port (for example {DatabaseHosts.Example}).");
        return new NpgsqlConnectionStringBuilder
        {
            Host = host,
            Port = port,
            Username = config.Required("DATABASE_USERNAME", why),
            Password = config.Text("DATABASE_PASSWORD") ?? "",
            Database = config.Required("DATABASE_NAME", why),
        }.ConnectionString;
    }
}

public sealed record TokenSettings(string? SecretKey, string Algorithm, int ExpireMinutes)
{
    public static readonly string[] SupportedAlgorithms = ["HS256", "HS384", "HS512"];

    // Keys copied from tutorials into real deployments; anyone can forge tokens with them.
    static readonly string[] WellKnownSecrets =
    [
        "09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7", // FastAPI docs sample
        "your-secret-key-here-change-it-in-production-please",
        "changeme-changeme-changeme-changeme",
    ];

    public static TokenSettings Load(ConfigReader config)
    {
        var algorithm = config.Text("ALGORITHM") ?? "HS256";
        if (!SupportedAlgorithms.Contains(algorithm))
            throw new InvalidConfigurationException($"ALGORITHM is '{algorithm}'; supported: {string.Join(", ", SupportedAlgorithms)}.");
        return new(config.Text("SECRET_KEY"), algorithm, config.Int("ACCESS_TOKEN_EXPIRE_MINUTES", 60, min: 1, max: 525_600));
    }

    /// <summary>The secret as the signing key needs it; refuses what HMAC cannot use safely.</summary>
    public byte[] SigningKeyBytes()
    {
        if (SecretKey is null)
            throw new InvalidConfigurationException("SECRET_KEY is not set: give it a random value of at least 32 bytes (for example: openssl rand -hex 32).");
        var bytes = Encoding.UTF8.GetBytes(SecretKey);
        // RFC 7518 §3.2: the key must be at least as long as the hash output.
        var minimum = Algorithm switch { "HS384" => 48, "HS512" => 64, _ => 32 };
        if (bytes.Length < minimum)
            throw new InvalidConfigurationException($"SECRET_KEY is {bytes.Length} bytes long; {Algorithm} needs at least {minimum} (for example: openssl rand -hex {minimum}).");
        if (WellKnownSecrets.Contains(SecretKey, StringComparer.OrdinalIgnoreCase))
            throw new InvalidConfigurationException("SECRET_KEY is a well-known sample value that anyone can use to forge tokens: generate your own (openssl rand -hex 32).");
        return bytes;
    }
}

/// <summary>bcrypt work, how much of it may run at once, and the per-account lockout.</summary>
public sealed record PasswordSettings(int BcryptCost, int HashingConcurrency, int HashingQueue, int LockoutThreshold, TimeSpan LockoutDuration)
{
    public static PasswordSettings Load(ConfigReader config) => new(
        BcryptCost: config.Int("BCRYPT_COST", 12, min: 4, max: 31),
        HashingConcurrency: config.Int("HASHING_CONCURRENCY", Environment.ProcessorCount, min: 1, max: 1024),
        HashingQueue: config.Int("HASHING_QUEUE", 100, min: 0, max: 100_000),
        LockoutThreshold: config.Int("LOCKOUT_THRESHOLD", 10, min: 1, max: 1000),
        LockoutDuration: TimeSpan.FromSeconds(config.Int("LOCKOUT_SECONDS", 300, min: 1, max: 86_400)));
}

/// <summary>What one request or one client may ask for.</summary>
/// <param name="LoginPerIp">Failed logins per client IP; successful ones are not counted.</param>
/// <param name="RegisterPerIp">Registration attempts per client IP.</param>
/// <param name="Redis">REDIS_URL: where both are counted across instances; null: per instance.</param>
public sealed record RequestLimits(
    RateLimit LoginPerIp,
    RateLimit RegisterPerIp,
    IReadOnlyList<System.Net.IPNetwork> TrustedProxies,
    long MaxBodyBytes,
    int MaxPageSize,
    int MaxTitleLength,
    int MaxContentLength,
    int MaxPasswordLength,
    StackExchange.Redis.ConfigurationOptions? Redis)
{
    public const int MaxSearchLength = 256;

    public static RequestLimits Load(ConfigReader config) => new(
        // Production-safe defaults; test suites set their own limits through these variables.
        LoginPerIp: config.Rate("LOGIN_IP_LIMIT", new RateLimit(20, TimeSpan.FromMinutes(1))),
        RegisterPerIp: config.Rate("REGISTER_IP_LIMIT", new RateLimit(30, TimeSpan.FromHours(1))),
        TrustedProxies: config.Networks("TRUSTED_PROXIES"),
        MaxBodyBytes: config.Int("MAX_BODY_BYTES", 1 << 20, min: 1024, max: int.MaxValue),
        MaxPageSize: config.Int("MAX_PAGE_SIZE", 100, min: 1, max: 10_000),
        MaxTitleLength: config.Int("MAX_TITLE_LENGTH", 1_000, min: 1, max: int.MaxValue),
        MaxContentLength: config.Int("MAX_CONTENT_LENGTH", 100_000, min: 1, max: int.MaxValue),
        MaxPasswordLength: config.Int("MAX_PASSWORD_LENGTH", 1_024, min: 8, max: 1_000_000),
        Redis: SharedLimits.RedisSettings.Load(config));
}
