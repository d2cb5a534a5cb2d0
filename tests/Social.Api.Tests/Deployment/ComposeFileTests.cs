using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Npgsql;
using Social.Api.Infrastructure;
using Social.Api.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Social.Api.Tests.Deployment;

/// <summary>
/// compose.yaml, read as compose reads it (no registry here serves the postgres image, so it is not
/// run): the original's production layout and variable names, and what the service makes of them.
/// </summary>
public sealed partial class ComposeFileTests
{
    static readonly string[] OriginalVariables =
        ["DATABASE_HOSTNAME", "DATABASE_PORT", "DATABASE_PASSWORD", "DATABASE_NAME", "DATABASE_USERNAME", "SECRET_KEY", "ALGORITHM", "ACCESS_TOKEN_EXPIRE_MINUTES"];

    // What a user of the original has in the .env beside the file: only the secrets are required.
    static readonly Dictionary<string, string> UserEnvironment = new()
    {
        ["DATABASE_PASSWORD"] = "a-database-password",
        ["SECRET_KEY"] = ApiFactory.SecretKey,
        ["ACCESS_TOKEN_EXPIRE_MINUTES"] = "30",
    };

    [Fact]
    public void TheApiTakesTheOriginalsVariablesUnderTheirOwnNames()
    {
        var environment = Mapping(Service("api"), "environment");

        Assert.Equal(OriginalVariables.Order(), environment.Keys.Order());
        foreach (var (name, value) in environment)
            Assert.Matches($@"^\$\{{{name}(:[-?][^}}]*)?\}}$", value);
    }

    [Fact]
    public void TheServiceReadsTheApisEnvironmentAsTheComposeFileMeansIt()
    {
        var environment = Mapping(Service("api"), "environment").ToDictionary(v => v.Key, v => (string?)Interpolate(v.Value, UserEnvironment));

        var settings = Settings.Load(new ConfigurationBuilder().AddInMemoryCollection(environment).Build());

        var database = new NpgsqlConnectionStringBuilder(settings.Database.ConnectionString);
        Assert.Equal(("postgres", 5432, "fastapi", "postgres", "a-database-password"),
            (database.Host, database.Port, database.Database, database.Username, database.Password));
        Assert.Equal(new TokenSettings(ApiFactory.SecretKey, "HS256", 30), settings.Tokens);
        // PostgreSQL is made with the same user, password and database.
        var postgres = Mapping(Service("postgres"), "environment").ToDictionary(v => v.Key, v => Interpolate(v.Value, UserEnvironment));
        Assert.Equal((database.Username, database.Password, database.Database),
            (postgres["POSTGRES_USER"], postgres["POSTGRES_PASSWORD"], postgres["POSTGRES_DB"]));
    }

    [Theory]
    [InlineData("SECRET_KEY")]
    [InlineData("DATABASE_PASSWORD")]
    public void ASecretHasNoDefault(string secret)
    {
        var environment = Mapping(Service("api"), "environment");
        var without = UserEnvironment.Where(v => v.Key != secret).ToDictionary();

        var refusal = Assert.Throws<InvalidOperationException>(() => Interpolate(environment[secret], without));
        Assert.Contains($"set {secret}", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheLayoutIsTheOriginalsApiPostgresAndANamedVolume()
    {
        var api = Service("api");
        Assert.Equal(".", Scalar(api, "build"));
        Assert.Equal(["8000:8000"], Sequence(api, "ports"));
        Assert.Equal("service_healthy", Scalar((YamlMappingNode)((YamlMappingNode)api["depends_on"])["postgres"], "condition"));

        var postgres = Service("postgres");
        Assert.StartsWith("postgres:", Scalar(postgres, "image"), StringComparison.Ordinal);
        Assert.Equal(["postgres-db:/var/lib/postgresql/data"], Sequence(postgres, "volumes"));
        Assert.Contains("pg_isready", string.Join(' ', Sequence((YamlMappingNode)postgres["healthcheck"], "test")), StringComparison.Ordinal);
        Assert.Contains(new YamlScalarNode("postgres-db"), ((YamlMappingNode)Compose()["volumes"]).Children.Keys);
    }

    static YamlMappingNode Compose()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Repository.PathOf("compose.yaml")))
            yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    static YamlMappingNode Service(string name) => (YamlMappingNode)((YamlMappingNode)Compose()["services"])[name];

    static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node[key]).Value!;

    static List<string> Sequence(YamlMappingNode node, string key) => [.. ((YamlSequenceNode)node[key]).Select(item => ((YamlScalarNode)item).Value!)];

    static Dictionary<string, string> Mapping(YamlMappingNode node, string key) =>
        ((YamlMappingNode)node[key]).Children.ToDictionary(v => ((YamlScalarNode)v.Key).Value!, v => ((YamlScalarNode)v.Value).Value!);

    /// <summary>Compose's interpolation of <c>${NAME}</c>, <c>${NAME:-default}</c> and <c>${NAME:?error}</c>.</summary>
    static string Interpolate(string value, Dictionary<string, string> environment) =>
        Variable().Replace(value, match =>
        {
            var name = match.Groups["name"].Value;
            if (environment.TryGetValue(name, out var set) && set.Length > 0)
                return set;
            return match.Groups["op"].Value switch
            {
                ":-" => match.Groups["arg"].Value,
                ":?" => throw new InvalidOperationException($"{name}: {match.Groups["arg"].Value}"),
                _ => "",
            };
        });

    [GeneratedRegex(@"\$\{(?<name>[A-Z_][A-Z0-9_]*)(?:(?<op>:[-?])(?<arg>[^}]*))?\}")]
    private static partial Regex Variable();
}
