using System.Net;
using Npgsql;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.Sql;

namespace Social.Api.Tests.Users;

/// <summary>
/// Profiles and the token's user come from a cache kept exact by PostgreSQL's announcements: a
/// change made outside the service shows within a second, and where the announcements stop
/// arriving the cache is bypassed instead of going stale.
/// </summary>
public sealed class UserCacheTests(TestEnvironment env) : IAsyncLifetime
{
    ApiFactory _api = null!;

    public async ValueTask InitializeAsync() => _api = await ApiFactory.CreateAsync(env.Cluster);

    public ValueTask DisposeAsync() => _api.DisposeAsync();

    [Fact]
    public async Task AnOperatorsUpdateShowsInProfilesAndTheTokensUser()
    {
        var user = await CachedUserAsync();
        var changed = ApiClient.UniqueEmail("changed");

        await UpdateEmailAsync(user.Id, changed);

        await Eventually.HoldsAsync(async () => await EmailAsync(user) == changed, "the changed e-mail served");
        var post = await user.CreatePostAsync();
        Assert.Equal(changed, post["owner"]!["email"]!.GetValue<string>());
    }

    [Fact]
    public async Task ASilentlyDeadListenerIsNoticedOnceAndTheDatabaseReadMeanwhile()
    {
        var user = await CachedUserAsync();
        var listener = await ListenerBackendAsync();
        Signal("STOP", listener); // its connection stays open, but it hears nothing more
        try
        {
            var changed = ApiClient.UniqueEmail("unheard");
            await UpdateEmailAsync(user.Id, changed);

            await Eventually.HoldsAsync(async () => await EmailAsync(user) == changed, "the changed e-mail served");
            await Eventually.HoldsAsync(() => _api.Logs.Lines.Any(l => l.Contains("Hearing the database's change announcements again", StringComparison.Ordinal)), "the listener hearing again");
            Assert.Single(_api.Logs.Lines, l => l.Contains("Not hearing the database's change announcements", StringComparison.Ordinal));
        }
        finally
        {
            Signal("CONT", listener);
        }
    }

    // A user whose profile is served from the cache: proven by a change made with the triggers
    // off (no announcement), which the service does not see.
    async Task<TestUser> CachedUserAsync()
    {
        var user = await _api.CreateUserAsync();
        await Eventually.HoldsAsync(async () =>
        {
            await EmailAsync(user);
            await UpdateEmailAsync(user.Id, ApiClient.UniqueEmail("unannounced"), announced: false);
            var served = await EmailAsync(user);
            await UpdateEmailAsync(user.Id, user.Email, announced: false);
            return served == user.Email;
        }, "a profile served from the cache");
        return user;
    }

    static async Task<string> EmailAsync(TestUser user)
    {
        var response = await user.Client.GetAsync($"/users/{user.Id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.JsonAsync())["email"]!.GetValue<string>();
    }

    async Task UpdateEmailAsync(int id, string email, bool announced = true)
    {
        await using var db = await _api.OpenDatabaseAsync();
        if (!announced)
            await ExecuteAsync(db, "SET session_replication_role = replica");
        await ExecuteAsync(db, "UPDATE users SET email = $1 WHERE id = $2", email, id);
    }

    async Task<string> ListenerBackendAsync()
    {
        await using var db = await _api.OpenDatabaseAsync();
        await using var find = new NpgsqlCommand("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'", db);
        return Assert.Single(await ReadAllAsync(find)).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    static async Task<List<int>> ReadAllAsync(NpgsqlCommand command)
    {
        var values = new List<int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            values.Add(reader.GetInt32(0));
        return values;
    }

    static void Signal(string signal, string pid)
    {
        using var kill = System.Diagnostics.Process.Start("kill", [$"-{signal}", pid]);
        kill.WaitForExit();
    }
}
