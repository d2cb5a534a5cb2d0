namespace Social.Api.Tests.Deployment;

/// <summary>
/// The classes that start the whole loopback topology (deploy/local/up: two PostgreSQL servers,
/// Redis, three instances, nginx) run one after another, never two topologies at once on the
/// machine's cores: their checks count what reached which server, and starved servers skew it.
/// </summary>
[CollectionDefinition(Name)]
public sealed class OneTopologyAtATime
{
    public const string Name = "deploy/local topology";
}
