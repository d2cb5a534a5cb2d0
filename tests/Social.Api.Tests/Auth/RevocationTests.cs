using System.Globalization;
using System.Net;
using Npgsql;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.ApiClient;
using static Social.Api.Tests.Infrastructure.Sql;

namespace Social.Api.Tests.Auth;

/// <summary>
/// Revocations hold across instances: two instances of the service on one database, a logout,
/// password change or deletion on one, the token refused by the other (within the staleness
/// bound, so waited for, not timed). Each instance checks from memory while it hears the
/// database's announcements, and reads the database while it does not.
/// </summary>
public sealed class RevocationTests(TestEnvironment env) : IAsyncLifetime
{
    ApiFactory _first = null!, _second = null!;

    public async ValueTask InitializeAsync()
    {
        _first = await ApiFactory.CreateAsync(env.Cluster);
        _second = await ApiFactory.CreateAsync(env.Cluster, new Dictionary<string, string?> { ["DATABASE_NAME"] = _first.DatabaseName });
    }

    public async ValueTask DisposeAsync()
    {
        await _second.DisposeAsync();
        await _first.DisposeAsync();
    }

    /// <summary>A user of the first instance whose token the second accepts (and so has cached).</summary>
    async Task<(TestUser User, HttpClient OnSecond)> UserOfBothAsync()
    {
        var user = await _first.CreateUserAsync();
        var onSecond = _second.ClientWithToken("Bearer " + user.Token);
        Assert.Equal(HttpStatusCode.OK, (await onSecond.GetAsync("/users/me")).StatusCode);
        return (user, onSecond);
    }

    static async Task<bool> RefusedAsync(HttpClient client) => (await client.GetAsync("/users/me")).StatusCode == HttpStatusCode.Unauthorized;

    [Fact]
    public async Task ALogoutOnOneInstanceIsRefusedByTheOther()
    {
        var (user, onSecond) = await UserOfBothAsync();
        var otherToken = _second.ClientWithToken("Bearer " + TestTokens.ForUser(user.Id, TestTokens.Now + 1800));

        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.LogOutAsync()).StatusCode);

        await Eventually.HoldsAsync(() => RefusedAsync(onSecond), "the logged-out token refused by the second instance");
        Assert.Equal(HttpStatusCode.OK, (await otherToken.GetAsync("/users/me")).StatusCode);
    }

    [Fact]
    public async Task APasswordChangeOnOneInstanceRevokesOlderTokensOnTheOther()
    {
        var (user, onSecond) = await UserOfBothAsync();

        var changed = await user.Client.ChangePasswordAsync(Password, "changed on the first instance");
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);

        await Eventually.HoldsAsync(() => RefusedAsync(onSecond), "the older token refused by the second instance");
        var fresh = _second.ClientWithToken("Bearer " + (await changed.JsonAsync())["access_token"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await fresh.GetAsync("/users/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _second.CreateClient().LoginAsync(user.Email, "changed on the first instance")).StatusCode);
    }

    [Fact]
    public async Task AnAccountDeletedOnOneInstanceIsRefusedByTheOther()
    {
        var (user, onSecond) = await UserOfBothAsync();

        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAccountAsync(Password)).StatusCode);

        await Eventually.HoldsAsync(() => RefusedAsync(onSecond), "the deleted user's token refused by the second instance");
    }

    /// <summary>
    /// A revocation written with the triggers off is not announced: while the listener hears, the
    /// instance answers from memory and does not see it (no round trip per request); once the
    /// listener hears nothing, the database is read and the token refused.
    /// </summary>
    [Fact]
    public async Task WhereTheListenerHearsNothingRevocationsAreReadFromTheDatabase()
    {
        var logout = await _first.CreateUserAsync();
        var change = await _first.CreateUserAsync();
        Assert.False(await RefusedAsync(logout.Client) || await RefusedAsync(change.Client)); // both users now cached
        await using var db = await _first.OpenDatabaseAsync();
        await ExecuteAsync(db, "SET session_replication_role = replica");
        await ExecuteAsync(db, $"INSERT INTO revoked_tokens (digest, expires_at) VALUES (sha256(convert_to('{logout.Token}', 'UTF8')), now() + interval '1 hour')");
        await ExecuteAsync(db, $"UPDATE users SET tokens_valid_after = now() + interval '2 seconds' WHERE id = {change.Id}");
        await Eventually.HoldsAsync(async () => !await RefusedAsync(logout.Client) && !await RefusedAsync(change.Client), "the unannounced revocations unseen: served from memory");

        var listeners = await ListenerBackendsAsync(db);
        Signal("STOP", listeners);
        try
        {
            await Eventually.HoldsAsync(async () => await RefusedAsync(logout.Client) && await RefusedAsync(change.Client), "both revocations read from the database");
            // The listener gives its connection up, listens on a new one and loads the table again.
            await Eventually.HoldsAsync(() => _first.Logs.Lines.Any(l => l.Contains("Hearing the database's change announcements again", StringComparison.Ordinal)), "the listener hearing again");
            Assert.True(await RefusedAsync(logout.Client), "the logout loaded from the table once the listener listens again");
            Assert.True(await RefusedAsync(change.Client));
        }
        finally
        {
            Signal("CONT", listeners);
        }
    }

    // Both instances' listeners: their connections stay open, but they hear nothing more.
    static async Task<string> ListenerBackendsAsync(NpgsqlConnection db)
    {
        await using var find = new NpgsqlCommand("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'", db);
        var pids = new List<int>();
        await using (var reader = await find.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
                pids.Add(reader.GetInt32(0));
        }
        Assert.NotEmpty(pids);
        return string.Join(' ', pids.Select(p => p.ToString(CultureInfo.InvariantCulture)));
    }

    static void Signal(string signal, string pids)
    {
        using var kill = System.Diagnostics.Process.Start("kill", [$"-{signal}", .. pids.Split(' ')]);
        kill.WaitForExit();
    }
}
