using System.Net;
using System.Net.Http.Json;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.ApiClient;
using static Social.Api.Tests.Infrastructure.Sql;

namespace Social.Api.Tests.Users;

/// <summary>The caller's own account: GET /users/me, PUT /users/me/password, DELETE /users/me.</summary>
public sealed class AccountTests(TestEnvironment env)
{
    const string NewPassword = "a longer and newer passphrase";

    [Fact]
    public async Task MeIsTheCallersProfileWithTheBodyOfTheirPublicProfileAndIsNotCached()
    {
        var user = await env.Api.CreateUserAsync();

        var me = await user.Client.GetAsync("/users/me");
        var byId = await user.Client.GetAsync($"/users/{user.Id}");

        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal(await byId.Content.ReadAsStringAsync(), await me.Content.ReadAsStringAsync());
        Assert.Equal(["created_at", "email", "id"], (await me.JsonAsync()).Keys());
        Assert.Equal("no-store", me.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task ChangingThePasswordRevokesEveryOlderTokenAndAnswersAFreshOne()
    {
        var user = await env.Api.CreateUserAsync();
        // Tokens of other seconds (two logins within one second give the same token), one minted elsewhere with the key.
        var other = env.Api.ClientWithToken("Bearer " + TestTokens.ForUser(user.Id, TestTokens.Now + 1800));
        var minted = env.Api.ClientWithToken("Bearer " + TestTokens.ForUser(user.Id));

        var response = await user.Client.ChangePasswordAsync(Password, NewPassword);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var fresh = (await response.JsonAsync())["access_token"]!.GetValue<string>();
        foreach (var old in new[] { user.Client, other, minted })
        {
            var refused = await old.GetAsync("/posts/");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("Could not validate credentials", await refused.DetailAsync());
        }
        Assert.Equal(HttpStatusCode.OK, (await env.Api.ClientWithToken("Bearer " + fresh).GetAsync("/posts/")).StatusCode);
        var client = env.Api.CreateClient();
        Assert.Equal(HttpStatusCode.Forbidden, (await client.LoginAsync(user.Email, Password)).StatusCode);
        var login = await client.LoginAsync(user.Email, NewPassword);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var token = (await login.JsonAsync())["access_token"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, (await env.Api.ClientWithToken("Bearer " + token).GetAsync("/users/me")).StatusCode);
    }

    /// <summary>
    /// Issue times are whole seconds (exp minus the lifetime), the not-before instant is stored
    /// rounded up: a token minted earlier in the very second of the change is refused.
    /// </summary>
    [Fact]
    public async Task ATokenMintedInTheSecondOfTheChangeButBeforeItIsRefused()
    {
        for (var attempt = 0; ; attempt++)
        {
            var user = await env.Api.CreateUserAsync();
            Assert.Equal(HttpStatusCode.OK, (await user.Client.ChangePasswordAsync(Password, NewPassword)).StatusCode);

            var notBefore = await NotBeforeAsync(user.Id);
            if (IssuedAt(user.Token) != notBefore - 1 && attempt < 20)
                continue; // the login fell into an earlier second than the change: try again
            Assert.Equal(notBefore - 1, IssuedAt(user.Token));
            Assert.Equal(HttpStatusCode.Unauthorized, (await user.Client.GetAsync("/posts/")).StatusCode);
            return;
        }
    }

    /// <summary>A login right after the change, still in its second, gets a token issued at the not-before second, which works.</summary>
    [Fact]
    public async Task ALoginJustAfterTheChangeInTheSameSecondGetsAWorkingToken()
    {
        for (var attempt = 0; ; attempt++)
        {
            var user = await env.Api.CreateUserAsync();
            Assert.Equal(HttpStatusCode.OK, (await user.Client.ChangePasswordAsync(Password, NewPassword)).StatusCode);
            var login = await env.Api.CreateClient().LoginAsync(user.Email, NewPassword);
            var answeredAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

            var notBefore = await NotBeforeAsync(user.Id);
            if (answeredAt >= notBefore && attempt < 20)
                continue; // the login was not in the change's second: try again
            Assert.True(answeredAt < notBefore, "the login answered within the second of the change");
            var token = (await login.JsonAsync())["access_token"]!.GetValue<string>();
            Assert.Equal(notBefore, IssuedAt(token));
            Assert.Equal(HttpStatusCode.OK, (await env.Api.ClientWithToken("Bearer " + token).GetAsync("/posts/")).StatusCode);
            return;
        }
    }

    /// <summary>
    /// Each change is written only over the password it checked: one wins, the others are told
    /// (409, 403 once the password has changed, or 401 once the winner has revoked the token they carry).
    /// </summary>
    [Fact]
    public async Task ConcurrentPasswordChangesLeaveExactlyOneWinner()
    {
        var user = await env.Api.CreateUserAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => user.Client.ChangePasswordAsync(Password, $"{NewPassword} {i}")));

        var winner = Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.All(responses.Where(r => r != winner), r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Conflict, HttpStatusCode.Forbidden, HttpStatusCode.Unauthorized }));
        var won = Array.IndexOf(responses, winner);
        Assert.Equal(HttpStatusCode.OK, (await env.Api.CreateClient().LoginAsync(user.Email, $"{NewPassword} {won}")).StatusCode);
    }

    [Theory]
    [InlineData("""{"new_password": "x"}""", "current_password", "value_error.missing")]
    [InlineData("""{"current_password": "x"}""", "new_password", "value_error.missing")]
    [InlineData("""{"current_password": "x", "new_password": 5}""", "new_password", "type_error.str")]
    [InlineData("""{"current_password": "x", "new_password": "a\u0000b"}""", "new_password", "value_error.str.nul")]
    [InlineData("""{"current_password": null, "new_password": "x"}""", "current_password", "type_error.none.not_allowed")]
    public async Task AnInvalidPasswordChangeIs422AtItsFieldAndChangesNothing(string body, string field, string type)
    {
        var user = await env.Api.CreateUserAsync();

        var response = await user.Client.PutAsync("/users/me/password", RawJson(body));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var error = Assert.Single((await response.JsonAsync())["detail"]!.AsArray());
        Assert.Equal(["body", field], error!["loc"]!.AsArray().Select(l => l!.GetValue<string>()));
        Assert.Equal(type, error["type"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await user.Client.GetAsync("/users/me")).StatusCode);
    }

    [Fact]
    public async Task ANewPasswordFollowsRegistrationsLengthRule()
    {
        var user = await env.Api.CreateUserAsync();

        var response = await user.Client.ChangePasswordAsync(Password, new string('p', 1025));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("value_error.any_str.max_length", (await response.JsonAsync())["detail"]![0]!["type"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await env.Api.CreateClient().LoginAsync(user.Email, Password)).StatusCode);
    }

    [Fact]
    public async Task DeletingTheAccountRemovesItsPostsAndVotesAndItsTokensAreRefused()
    {
        var user = await env.Api.CreateUserAsync();
        var other = await env.Api.CreateUserAsync();
        var ownPost = (await user.CreatePostAsync())["id"]!.GetValue<int>();
        var othersPost = (await other.CreatePostAsync())["id"]!.GetValue<int>();
        Assert.Equal(HttpStatusCode.Created, (await user.VoteAsync(othersPost, 1)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await other.VoteAsync(ownPost, 1)).StatusCode);

        var response = await user.Client.DeleteAccountAsync(Password);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        var refused = await user.Client.GetAsync("/users/me");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("Could not validate credentials", await refused.DetailAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await other.Client.GetAsync($"/users/{user.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.Client.GetAsync($"/posts/{ownPost}")).StatusCode);
        Assert.Equal(0, (await (await other.Client.GetAsync($"/posts/{othersPost}")).JsonAsync())["votes"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.Forbidden, (await env.Api.CreateClient().LoginAsync(user.Email, Password)).StatusCode);
        await using var db = await env.Api.OpenDatabaseAsync();
        Assert.Equal(0, await CountAsync(db, $"SELECT count(*) FROM votes WHERE user_id = {user.Id}"));
        Assert.Equal(0, await CountAsync(db, $"SELECT count(*) FROM posts WHERE owner_id = {user.Id}"));
    }

    [Fact]
    public async Task AWrongPasswordOnDeleteIsTheLoginRefusalAndChangesNothingButTheFailureCount()
    {
        var user = await env.Api.CreateUserAsync();
        var postId = (await user.CreatePostAsync())["id"]!.GetValue<int>();

        var response = await user.Client.DeleteAccountAsync("not the password");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("""{"detail":"Invalid Credentials"}""", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await user.Client.GetAsync($"/posts/{postId}")).StatusCode);
        await using var db = await env.Api.OpenDatabaseAsync();
        Assert.Equal(["1"], await RowsAsync(db, $"SELECT failures FROM login_lockouts WHERE user_id = {user.Id}"));
    }

    [Fact]
    public async Task ADeleteWithoutItsPasswordIs422AndDeletesNothing()
    {
        var user = await env.Api.CreateUserAsync();

        var response = await user.Client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/users/me") { Content = JsonContent.Create(new { }) });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await user.Client.GetAsync("/users/me")).StatusCode);
    }

    static long IssuedAt(string token) =>
        System.Text.Json.JsonDocument.Parse(TestTokens.DecodePart(token, 1)).RootElement.GetProperty("exp").GetInt64() - 60 * 60;

    async Task<long> NotBeforeAsync(int userId)
    {
        await using var db = await env.Api.OpenDatabaseAsync();
        return await CountAsync(db, $"SELECT extract(epoch FROM tokens_valid_after)::bigint FROM users WHERE id = {userId}");
    }
}
