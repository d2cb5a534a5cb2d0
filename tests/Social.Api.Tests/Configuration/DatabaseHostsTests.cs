using Npgsql;
using Social.Api.Infrastructure;

namespace Social.Api.Tests.Configuration;

/// <summary>Several database hosts (a primary and its standbys) in DATABASE_HOSTNAME or DATABASE_URL, as libpq and Npgsql take them.</summary>
public sealed class DatabaseHostsTests
{
    static DatabaseSettings Load(params (string Key, string Value)[] values) => SettingsTests.Load(values).Database;

    static readonly (string, string)[] Credentials = [("DATABASE_USERNAME", "app"), ("DATABASE_PASSWORD", "secret"), ("DATABASE_NAME", "social")];

    [Fact]
    public void OneHostMakesTheSameConnectionStringAsBefore()
    {
        var settings = Load([("DATABASE_HOSTNAME", "db"), ("DATABASE_PORT", "6543"), .. Credentials]);

        Assert.False(settings.SeveralHosts);
        var effective = new NpgsqlConnectionStringBuilder(settings.EffectiveConnectionString());
        Assert.Equal(("db", 6543, null, false), (effective.Host, effective.Port, effective.Options, effective.LoadBalanceHosts));
    }

    [Fact]
    public void SeveralHostnamesTakeDatabasePortWhereTheyHaveNoneOfTheirOwn()
    {
        var settings = Load([("DATABASE_HOSTNAME", "db1, db2:5433,10.0.0.3"), ("DATABASE_PORT", "6543"), .. Credentials]);

        Assert.True(settings.SeveralHosts);
        Assert.Equal("db1:6543,db2:5433,10.0.0.3:6543", new NpgsqlConnectionStringBuilder(settings.ConnectionString).Host);
    }

    [Fact]
    public void WithSeveralHostsCommitsWaitForTheStandbysToApplyThemAndReadsSpreadOverThem()
    {
        var settings = Load([("DATABASE_HOSTNAME", "db1,db2"), .. Credentials]);

        var effective = new NpgsqlConnectionStringBuilder(settings.EffectiveConnectionString());
        Assert.Equal("-c synchronous_commit=remote_apply", effective.Options);
        Assert.True(effective.LoadBalanceHosts);
    }

    [Theory]
    [InlineData("postgresql://app:p%3Ass@db1:5432,db2:5433/social?sslmode=require", "db1:5432,db2:5433")]
    [InlineData("postgres://app:p%3Ass@db1,db2/social?sslmode=require", "db1:5432,db2:5432")]
    [InlineData("postgresql://app:p%3Ass@[::1]:5433,db2/social?sslmode=require", "[::1]:5433,db2:5432")]
    public void DatabaseUrlTakesAHostList(string url, string hosts)
    {
        var connection = new NpgsqlConnectionStringBuilder(Load(("DATABASE_URL", url)).ConnectionString);

        Assert.Equal((hosts, "app", "p:ss", "social", SslMode.Require),
            (connection.Host, connection.Username, connection.Password, connection.Database, connection.SslMode));
    }

    [Theory]
    [InlineData("db1,,db2")]
    [InlineData("db1,db2:port")]
    [InlineData("db1,db2:70000")]
    [InlineData("db1,[::1")]
    public void UnusableHostListsAreRefused(string hosts)
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => Load([("DATABASE_HOSTNAME", hosts), .. Credentials]));

        Assert.StartsWith($"DATABASE_HOSTNAME is '{hosts}': '", error.Message, StringComparison.Ordinal);
        Assert.Contains(DatabaseHosts.Example, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postgresql://u:secret@db1,/social")]
    [InlineData("postgresql://u:secret@db1,db2:x/social")]
    [InlineData("postgresql://u:secret@db1,db2:5432")]
    public void UnusableHostListsInDatabaseUrlAreRefusedWithoutShowingThePassword(string url)
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => Load(("DATABASE_URL", url)));

        Assert.StartsWith("DATABASE_URL is not a usable PostgreSQL URL", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }
}
