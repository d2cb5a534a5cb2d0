using System.Security.Cryptography;
using Social.Api.Infrastructure;

namespace Social.Api.Data;

/// <summary>
/// The zero-configuration run, in the Development environment only (the launch profile of
/// <c>dotnet run</c>): when no database is configured, the checkout's own PostgreSQL cluster in
/// <c>.data/postgres</c> (git-ignored) serves as the database, and a development
/// <c>SECRET_KEY</c> kept beside it signs tokens, so both survive restarts. Elsewhere nothing is
/// started on the operator's behalf: missing settings stop the process with one line naming them.
/// </summary>
public static class LocalDevelopmentDatabase
{
    public const string DatabaseName = "social";

    /// <summary>Starts the cluster and completes <paramref name="settings"/>; returns null when a database is configured.</summary>
    public static LocalPostgres? StartIfUnconfigured(IHostEnvironment environment, ref Settings settings)
    {
        if (settings.Database.Configured)
            return null;
        if (ApiDocs.ApiDocs.GeneratingAtBuildTime)
        {
            // The build only reads the endpoints: nothing connects, nothing is signed.
            settings = settings with
            {
                Database = settings.Database with { ConnectionString = "Host=localhost;Database=build-time-openapi" },
                Tokens = settings.Tokens with { SecretKey = new string('x', 64) },
            };
            return null;
        }
        if (!environment.IsDevelopment())
            throw new InvalidConfigurationException(MissingInProduction(settings.Tokens));

        var folder = Path.Combine(Hosting.CheckoutRoot(), ".data");
        var cluster = LocalPostgres.Start(ClusterFolder(folder));
        try
        {
            cluster.CreateDatabaseAsync(DatabaseName).GetAwaiter().GetResult();
        }
        catch
        {
            cluster.Stop();
            throw;
        }

        settings = settings with
        {
            Database = settings.Database with { ConnectionString = cluster.ConnectionString(DatabaseName) },
            Tokens = settings.Tokens with { SecretKey = settings.Tokens.SecretKey ?? DevelopmentSecret(folder) },
        };
        Console.WriteLine(
            $"info: no database configured, so using the private PostgreSQL cluster in {cluster.DataDirectory} "
            + $"(127.0.0.1:{cluster.Port}, database '{DatabaseName}'); set DATABASE_URL or DATABASE_* to use your own server.");
        return cluster;
    }

    static string MissingInProduction(TokenSettings tokens)
    {
        const string database = "DATABASE_URL (or DATABASE_HOSTNAME, DATABASE_USERNAME, DATABASE_PASSWORD and DATABASE_NAME)";
        var missing = tokens.SecretKey is null ? $"{database} and SECRET_KEY are" : $"{database} is";
        return $"{missing} not set: a private development database is only started in the Development environment "
            + "(dotnet run --project src/Social.Api); see docs/deploying.md.";
    }

    // As root the server runs as postgres, which cannot enter a checkout under a private folder
    // such as /root: the cluster then lives in a folder of its own, named after the checkout.
    static string ClusterFolder(string dataFolder)
    {
        var preferred = Path.Combine(dataFolder, "postgres");
        if (LocalPostgres.ServerCanUse(preferred))
            return preferred;
        var checkoutHash = Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(dataFolder)))[..12].ToLowerInvariant();
        var fallback = Path.Combine("/var/lib/social-api", checkoutHash, "postgres");
        Console.WriteLine($"info: the postgres user cannot enter {dataFolder}, so the cluster lives in {fallback}");
        return fallback;
    }

    static string DevelopmentSecret(string folder)
    {
        var file = Path.Combine(folder, "secret_key");
        if (!File.Exists(file))
        {
            File.WriteAllText(file, Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant());
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return File.ReadAllText(file).Trim();
    }
}
