using System.Globalization;
using System.Text;
using Npgsql;

namespace Social.Api.Infrastructure;

/// <summary>Everything the service reads from its environment, validated once at start-up.</summary>
public sealed record Settings(
    string? ConnectionString,
    string? SecretKey,
    string Algorithm,
    int AccessTokenExpireMinutes,
    int BcryptCost,
    bool MigrateOnStartup,
    int MaxPageSize)
{
    // The original's variable names (FastAPI course app), plus our own additions.
    public const string DatabaseUrl = "DATABASE_URL";
    public static readonly string[] DatabaseVariables =
        ["DATABASE_HOSTNAME", "DATABASE_PORT", "DATABASE_USERNAME", "DATABASE_PASSWORD", "DATABASE_NAME"];

    public static readonly string[] SupportedAlgorithms = ["HS256", "HS384", "HS512"];

    // Keys copied from tutorials into real deployments; anyone can forge tokens with them.
    static readonly string[] WellKnownSecrets =
    [
        "09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7", // FastAPI docs sample
        "your-secret-key-here-change-it-in-production-please",
        "changeme-changeme-changeme-changeme",
    ];

    /// <summary>True when neither DATABASE_URL nor any DATABASE_* variable is set.</summary>
    public bool DatabaseConfigured => ConnectionString is not null;

    public static Settings Load(IConfiguration config) => new(
        ConnectionString: ReadConnectionString(config),
        SecretKey: NonEmpty(config["SECRET_KEY"]),
        Algorithm: ReadAlgorithm(config),
        AccessTokenExpireMinutes: ReadInt(config, "ACCESS_TOKEN_EXPIRE_MINUTES", 60, min: 1, max: 525_600),
        BcryptCost: ReadInt(config, "BCRYPT_COST", 12, min: 4, max: 31),
        MigrateOnStartup: ReadBool(config, "MIGRATE_ON_STARTUP", true),
        MaxPageSize: ReadInt(config, "MAX_PAGE_SIZE", 100, min: 1, max: 10_000));

    /// <summary>The secret as the signing key needs it; refuses what HMAC cannot use safely.</summary>
    public byte[] SigningKeyBytes()
    {
        if (SecretKey is null)
            throw new InvalidConfigurationException("SECRET_KEY is not set: give it a random value of at least 32 bytes (for example: openssl rand -hex 32).");
        var bytes = Encoding.UTF8.GetBytes(SecretKey);
        var minimum = MinimumKeyBytes(Algorithm);
        if (bytes.Length < minimum)
            throw new InvalidConfigurationException($"SECRET_KEY is {bytes.Length} bytes long; {Algorithm} needs at least {minimum} (for example: openssl rand -hex {minimum}).");
        if (WellKnownSecrets.Contains(SecretKey, StringComparer.OrdinalIgnoreCase))
            throw new InvalidConfigurationException("SECRET_KEY is a well-known sample value that anyone can use to forge tokens: generate your own (openssl rand -hex 32).");
        return bytes;
    }

    // RFC 7518 §3.2: the key must be at least as long as the hash output.
    static int MinimumKeyBytes(string algorithm) => algorithm switch
    {
        "HS384" => 48,
        "HS512" => 64,
        _ => 32,
    };

    static string? ReadConnectionString(IConfiguration config)
    {
        if (NonEmpty(config[DatabaseUrl]) is { } url)
            return DatabaseUrlParser.ToConnectionString(url);
        if (!DatabaseVariables.Any(name => NonEmpty(config[name]) is not null))
            return null;

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = Required(config, "DATABASE_HOSTNAME"),
            Port = ReadInt(config, "DATABASE_PORT", 5432, min: 1, max: 65_535),
            Username = Required(config, "DATABASE_USERNAME"),
            Password = config["DATABASE_PASSWORD"] ?? "",
            Database = Required(config, "DATABASE_NAME"),
        };
        return builder.ConnectionString;
    }

    static string ReadAlgorithm(IConfiguration config)
    {
        var value = NonEmpty(config["ALGORITHM"]) ?? "HS256";
        return SupportedAlgorithms.Contains(value)
            ? value
            : throw new InvalidConfigurationException($"ALGORITHM is '{value}'; supported: {string.Join(", ", SupportedAlgorithms)}.");
    }

    static string Required(IConfiguration config, string name) =>
        NonEmpty(config[name]) ?? throw new InvalidConfigurationException(
            $"{name} is not set (the database is configured through DATABASE_* variables, so all of DATABASE_HOSTNAME, DATABASE_USERNAME and DATABASE_NAME are needed; or set DATABASE_URL).");

    static int ReadInt(IConfiguration config, string name, int fallback, int min, int max)
    {
        var text = NonEmpty(config[name]);
        if (text is null)
            return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw new InvalidConfigurationException($"{name} is '{text}'; it must be a whole number from {min} to {max}.");
        return value;
    }

    static bool ReadBool(IConfiguration config, string name, bool fallback) =>
        NonEmpty(config[name])?.ToLowerInvariant() switch
        {
            null => fallback,
            "true" or "1" or "yes" or "on" => true,
            "false" or "0" or "no" or "off" => false,
            var other => throw new InvalidConfigurationException($"{name} is '{other}'; use true or false."),
        };

    static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
