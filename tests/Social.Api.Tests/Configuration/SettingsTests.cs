using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Npgsql;
using Social.Api.Infrastructure;

namespace Social.Api.Tests.Configuration;

public sealed class SettingsTests
{
    internal static Settings Load(params (string Key, string Value)[] values) =>
        Settings.Load(new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build());

    [Fact]
    public void DefaultsAreTheDocumentedOnes()
    {
        var settings = Load();

        Assert.False(settings.Database.Configured);
        Assert.True(settings.Database.MigrateOnStartup);
        Assert.Equal("HS256", settings.Tokens.Algorithm);
        Assert.Equal(60, settings.Tokens.ExpireMinutes);
        Assert.Equal(12, settings.Passwords.BcryptCost);
        Assert.Equal(10, settings.Passwords.LockoutThreshold);
        Assert.Equal(TimeSpan.FromMinutes(5), settings.Passwords.LockoutDuration);
        Assert.Equal(new RateLimit(20, TimeSpan.FromMinutes(1)), settings.Limits.LoginPerIp);
        Assert.Equal(new RateLimit(30, TimeSpan.FromHours(1)), settings.Limits.RegisterPerIp);
        Assert.Empty(settings.Limits.TrustedProxies);
        Assert.Equal(1 << 20, settings.Limits.MaxBodyBytes);
        Assert.Equal(100, settings.Limits.MaxPageSize);
        Assert.False(settings.Posts.PrivateDrafts);
    }

    [Fact]
    public void TheOriginalsDatabaseVariablesMakeTheConnectionString()
    {
        var settings = Load(("DATABASE_HOSTNAME", "db"), ("DATABASE_PORT", "6543"), ("DATABASE_USERNAME", "app"), ("DATABASE_PASSWORD", "p@ss"), ("DATABASE_NAME", "social"));

        var connection = new NpgsqlConnectionStringBuilder(settings.Database.ConnectionString);
        Assert.Equal(("db", 6543, "app", "p@ss", "social"), (connection.Host, connection.Port, connection.Username, connection.Password, connection.Database));
    }

    [Fact]
    public void DatabaseUrlIsDecodedAndWinsOverTheSeparateVariables()
    {
        var settings = Load(("DATABASE_URL", "postgresql://app%40corp:p%3Ass%2F@db.example:6000/social?sslmode=require"), ("DATABASE_HOSTNAME", "ignored"));

        var connection = new NpgsqlConnectionStringBuilder(settings.Database.ConnectionString);
        Assert.Equal(("db.example", 6000, "app@corp", "p:ss/", "social", SslMode.Require),
            (connection.Host, connection.Port, connection.Username, connection.Password, connection.Database, connection.SslMode));
    }

    [Theory]
    [InlineData("postgres://u@h/db", 5432)]
    [InlineData("postgresql://u:p@h:5433/db", 5433)]
    public void DatabaseUrlPortDefaultsTo5432(string url, int port)
    {
        Assert.Equal(port, new NpgsqlConnectionStringBuilder(Load(("DATABASE_URL", url)).Database.ConnectionString).Port);
    }

    [Theory]
    [InlineData("redis://127.0.0.1:6380", "127.0.0.1:6380", null, null)]
    [InlineData("redis://:s%40cret@cache.internal/2", "cache.internal:6379", "s@cret", 2)]
    [InlineData("cache.internal:6390,password=secret", "cache.internal:6390", "secret", null)]
    public void RedisUrlIsAUrlOrAConfigurationString(string url, string endpoint, string? password, int? database)
    {
        var redis = Load(("REDIS_URL", url)).Limits.Redis!;

        Assert.Equal(endpoint, Assert.Single(redis.EndPoints).ToString()!.Replace("Unspecified/", "", StringComparison.Ordinal));
        Assert.Equal(password, redis.Password);
        Assert.Equal(database, redis.DefaultDatabase);
        Assert.False(redis.AbortOnConnectFail); // an unreachable Redis does not stop the start
        Assert.Null(Load().Limits.Redis);
    }

    [Theory]
    [InlineData("redis://:secret@")]
    [InlineData("redis://:secret@host/not-a-number")]
    [InlineData(",password=secret")]
    public void UnusableRedisUrlsAreRefusedWithoutShowingThePassword(string url)
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => Load(("REDIS_URL", url)));

        Assert.Contains("REDIS_URL", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postgresql://u:p@h:5432/")]
    [InlineData("http://u:p@h/db")]
    [InlineData("not a url")]
    public void UnusableDatabaseUrlsAreRefusedWithoutShowingThePassword(string url)
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => Load(("DATABASE_URL", url)));

        Assert.Contains("DATABASE_URL", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(":p@", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("HS256", 32)]
    [InlineData("HS384", 48)]
    [InlineData("HS512", 64)]
    public void TheSecretMustBeAsLongAsTheHash(string algorithm, int bytes)
    {
        Assert.Throws<InvalidConfigurationException>(() => Load(("ALGORITHM", algorithm), ("SECRET_KEY", new string('k', bytes - 1))).Tokens.SigningKeyBytes());
        Assert.Equal(bytes, Load(("ALGORITHM", algorithm), ("SECRET_KEY", new string('k', bytes))).Tokens.SigningKeyBytes().Length);
    }

    [Theory]
    [InlineData("20/min", 20, 60)]
    [InlineData("5/s", 5, 1)]
    [InlineData("1000/hour", 1000, 3600)]
    [InlineData("60", 60, 60)]
    public void RatesAreWrittenAsCountPerPeriod(string text, int count, int seconds)
    {
        Assert.Equal(new RateLimit(count, TimeSpan.FromSeconds(seconds)), Load(("LOGIN_IP_LIMIT", text)).Limits.LoginPerIp);
    }

    [Fact]
    public void TrustedProxiesAreAddressesOrNetworks()
    {
        var proxies = Load(("TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8")).Limits.TrustedProxies;

        Assert.Equal(["127.0.0.1/32", "10.0.0.0/8"], proxies.Select(p => p.ToString()));
        Assert.Throws<InvalidConfigurationException>(() => Load(("TRUSTED_PROXIES", "proxy.internal")));
    }

    [Fact]
    public void TheServerListensOnTheOriginalsPortOnLoopbackByDefault()
    {
        var builder = WebApplication.CreateBuilder();
        builder.UseDefaultAddress();

        Assert.Equal(Hosting.DefaultUrl, builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey));
    }

    [Fact]
    public void UrlsOnTheCommandLineWin()
    {
        var builder = WebApplication.CreateBuilder(["--urls", "http://127.0.0.1:9999"]);
        builder.UseDefaultAddress();

        Assert.Equal("http://127.0.0.1:9999", builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey));
    }
}
