using System.Net;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.ApiClient;

namespace Social.Api.Tests.Hardening;

/// <summary>
/// T05/T06 for the operations that ask for the current password (changing it, deleting the
/// account): a stolen token is no brute-force oracle, since every wrong password counts against
/// the same lockout and per-address limit as a failed login, with the same answers.
/// </summary>
public sealed class AccountPasswordTests(TestEnvironment env)
{
    const int Threshold = 3;

    [Fact]
    public async Task WrongCurrentPasswordsLockTheAccountForLoginsAndPasswordChangesAlike()
    {
        await using var api = await ApiFactory.CreateAsync(env.Cluster, new Dictionary<string, string?>
        {
            ["LOCKOUT_THRESHOLD"] = $"{Threshold}",
            ["LOCKOUT_SECONDS"] = "60",
        });
        var user = await api.CreateUserAsync();

        for (var i = 0; i < Threshold; i++)
        {
            var wrong = await user.Client.ChangePasswordAsync($"wrong {i}", "new password");
            Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
            Assert.Equal("""{"detail":"Invalid Credentials"}""", await wrong.Content.ReadAsStringAsync());
        }
        var lockedChange = await user.Client.ChangePasswordAsync(Password, "new password");
        var lockedDelete = await user.Client.DeleteAccountAsync(Password);
        var lockedLogin = await api.CreateClient().LoginAsync(user.Email, Password);

        Assert.Equal(HttpStatusCode.Forbidden, lockedChange.StatusCode);
        Assert.Equal("""{"detail":"Invalid Credentials"}""", await lockedChange.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, lockedDelete.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, lockedLogin.StatusCode);
        // Nothing changed: the token still works and the password is the old one.
        Assert.Equal(HttpStatusCode.OK, (await user.Client.GetAsync("/users/me")).StatusCode);
        await using var db = await api.OpenDatabaseAsync();
        var hash = (await Sql.RowsAsync(db, $"SELECT password FROM users WHERE id = {user.Id}")).Single();
        Assert.True(BCrypt.Net.BCrypt.Verify(Password, hash));
        Assert.Contains(api.Logs.Lines, l => l.Contains($"Password change failed for user {user.Id}", StringComparison.Ordinal) && l.Contains("account locked", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WrongPasswordsCountAgainstTheAddressesFailedLoginLimit()
    {
        const int limit = 3;
        await using var api = await ApiFactory.CreateAsync(env.Cluster, new Dictionary<string, string?> { ["LOGIN_IP_LIMIT"] = $"{limit}/min" });
        var user = await api.CreateUserAsync();

        Assert.Equal(HttpStatusCode.Forbidden, (await user.Client.ChangePasswordAsync("wrong 1", "new password")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await user.Client.DeleteAccountAsync("wrong 2")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.CreateClient().LoginAsync(user.Email, "wrong 3")).StatusCode);
        var throttledChange = await user.Client.ChangePasswordAsync(Password, "new password");
        var throttledDelete = await user.Client.DeleteAccountAsync(Password);
        var throttledLogin = await api.CreateClient().LoginAsync(user.Email, Password);

        foreach (var throttled in new[] { throttledChange, throttledDelete, throttledLogin })
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
            Assert.NotNull(throttled.Headers.RetryAfter);
            Assert.Equal("Too many requests", await throttled.DetailAsync());
        }
        Assert.Equal(HttpStatusCode.OK, (await user.Client.GetAsync("/users/me")).StatusCode);
    }

    [Fact]
    public async Task TheRightPasswordClearsTheFailureCountAsALoginDoes()
    {
        await using var api = await ApiFactory.CreateAsync(env.Cluster, new Dictionary<string, string?> { ["LOCKOUT_THRESHOLD"] = $"{Threshold}" });
        var user = await api.CreateUserAsync();

        for (var i = 0; i < Threshold - 1; i++)
            Assert.Equal(HttpStatusCode.Forbidden, (await user.Client.ChangePasswordAsync($"wrong {i}", "new password")).StatusCode);
        var changed = await user.Client.ChangePasswordAsync(Password, "new password");
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var client = api.ClientWithToken("Bearer " + (await changed.JsonAsync())["access_token"]!.GetValue<string>());
        for (var i = 0; i < Threshold - 1; i++)
            Assert.Equal(HttpStatusCode.Forbidden, (await client.DeleteAccountAsync($"wrong {i}")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAccountAsync("new password")).StatusCode);
    }
}
