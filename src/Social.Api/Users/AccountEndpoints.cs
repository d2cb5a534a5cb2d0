using Microsoft.EntityFrameworkCore;
using Social.Api.ApiDocs;
using Social.Api.Auth;
using Social.Api.Data;
using Social.Api.Infrastructure;
using Social.Api.Infrastructure.Validation;
using Social.Api.Observability;

namespace Social.Api.Users;

/// <summary>
/// The caller's own account, under a literal <c>/users/me</c> (routing prefers it to
/// <c>/users/{id}</c>). The operations that ask for the password check it as a login does, so they
/// count against the same lockout and throttle.
/// </summary>
public static class AccountEndpoints
{
    const string ChangedMeanwhile = "The password was changed by another request meanwhile; nothing was changed";

    public static RouteGroupBuilder MapAccount(this IEndpointRouteBuilder app)
    {
        var me = app.MapGroup("/users/me")
            .WithTags("Users")
            .RequireAuthorization()
            .NoStore()
            .ProducesErrors(401, 503)
            .AddEndpointFilter<ValidationFilter>();

        me.MapGet("", GetMe)
            .WithSummary("Own profile")
            .WithDescription("The caller's profile, the same body as `GET /users/{id}`.")
            .WithExamples(response: Examples.User);
        me.MapPut("/password", ChangePassword)
            .Produces<ErrorResponse>(StatusCodes.Status403Forbidden)
            .ProducesErrors(400, 413, 422, 429)
            .WithSummary("Change password")
            .WithDescription("Checks `current_password` as a login does (a wrong one is a 403 `Invalid Credentials` and counts against the account's lockout and the address's failed-login limit, 429 beyond it), stores `new_password` (registration's rules) and revokes every token issued before the change, on every instance within a second. Answers a fresh token, so the client making the change stays logged in. 409 if the password was changed by another request meanwhile.")
            .WithExamples(request: Examples.PasswordChange, response: Examples.Token);
        me.MapDelete("", DeleteAccount)
            .Produces<ErrorResponse>(StatusCodes.Status403Forbidden)
            .ProducesErrors(400, 413, 422, 429)
            .WithSummary("Delete account")
            .WithDescription("Checks `password` as a login does (a wrong one is a 403 `Invalid Credentials`, counted like a failed login, and changes nothing), then deletes the account with its posts and votes. The account's tokens are refused from then on. No body; 204. 409 if the password was changed by another request meanwhile.")
            .WithExamples(request: Examples.AccountDeletion);
        return me;
    }

    static Ok<UserResponse> GetMe(Caller caller) => TypedResults.Ok(caller.Profile);

    /// <summary>
    /// The new hash and the not-before instant are written in one UPDATE, only if the password is
    /// still the one just checked. The users trigger announces the change, so every instance reads
    /// the instant again; this one forgets the user at once.
    /// </summary>
    static async Task<Results<Ok<TokenResponse>, JsonHttpResult<ErrorResponse>, Conflict<ErrorResponse>>> ChangePassword(
        JsonBody<PasswordChangeRequest> body, Caller caller, AppDbContext db, PasswordCheck check, PasswordHasher passwords,
        TokenService tokens, KnownUsers knownUsers, ApiMetrics metrics, HttpContext http, ILogger<PasswordChangeRequest> logger,
        CancellationToken cancellationToken)
    {
        var (account, refusal) = await check.CheckAsync(db.Users.Where(u => u.Id == caller.Id), body.Value.CurrentPassword, PasswordUse.PasswordChange, http, cancellationToken);
        if (refusal is not null)
            return refusal;

        var (id, checkedHash) = (account!.Id, account.Hash);
        var newHash = await passwords.HashAsync(body.Value.NewPassword, cancellationToken);
        // Taken after the hashing: a token minted while it ran is older, so it is revoked too.
        var notBefore = tokens.NotBeforeNow();
        var changed = await db.Users.Where(u => u.Id == id && u.Password == checkedHash)
            .ExecuteUpdateAsync(set => set.SetProperty(u => u.Password, newHash).SetProperty(u => u.TokensValidAfter, (DateTime?)notBefore), cancellationToken);
        if (changed == 0)
            return TypedResults.Conflict(new ErrorResponse(ChangedMeanwhile));

        knownUsers.Forget(id);
        metrics.AccountChanged(ApiMetrics.AccountChange.PasswordChanged);
        logger.LogInformation("User {UserId} changed their password from {ClientIp}; their older tokens are revoked", id, http.Connection.RemoteIpAddress);
        return TypedResults.Ok(new TokenResponse(tokens.CreateToken(id, notBefore), "bearer"));
    }

    /// <summary>One DELETE; posts, votes and the lockout row go with the user by the schema's cascades.</summary>
    static async Task<Results<NoContent, JsonHttpResult<ErrorResponse>, Conflict<ErrorResponse>>> DeleteAccount(
        JsonBody<AccountDeletionRequest> body, Caller caller, AppDbContext db, PasswordCheck check, KnownUsers knownUsers,
        ApiMetrics metrics, HttpContext http, ILogger<AccountDeletionRequest> logger, CancellationToken cancellationToken)
    {
        var (account, refusal) = await check.CheckAsync(db.Users.Where(u => u.Id == caller.Id), body.Value.Password, PasswordUse.AccountDeletion, http, cancellationToken);
        if (refusal is not null)
            return refusal;

        var (id, checkedHash) = (account!.Id, account.Hash);
        var deleted = await db.Users.Where(u => u.Id == id && u.Password == checkedHash).ExecuteDeleteAsync(cancellationToken);
        if (deleted == 0)
            return TypedResults.Conflict(new ErrorResponse(ChangedMeanwhile));

        knownUsers.Forget(id);
        metrics.AccountChanged(ApiMetrics.AccountChange.Deleted);
        logger.LogInformation("User {UserId} deleted their account from {ClientIp}", id, http.Connection.RemoteIpAddress);
        return TypedResults.NoContent();
    }
}
