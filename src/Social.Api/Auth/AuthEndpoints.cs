using Npgsql;
using Social.Api.ApiDocs;
using Social.Api.Data;
using Social.Api.Infrastructure;
using Social.Api.Infrastructure.Validation;
using Social.Api.Observability;

namespace Social.Api.Auth;

public static class AuthEndpoints
{
    public static IEndpointRouteBuilder MapAuth(this IEndpointRouteBuilder app)
    {
        app.MapPost("/login", Login)
            .WithTags("Authentication")
            .NoStore()
            .Produces<ErrorResponse>(StatusCodes.Status403Forbidden)
            .ProducesErrors(413, 422, 429, 503)
            .WithSummary("Log in")
            .WithDescription("OAuth2 password grant: a form with `username` (the e-mail) and `password`. Answers a bearer token valid for ACCESS_TOKEN_EXPIRE_MINUTES. Unknown e-mail, wrong password and a temporarily locked account all answer the same 403 `Invalid Credentials`.")
            .WithExamples(request: Examples.LoginForm, response: Examples.Token)
            .AddEndpointFilter<ValidationFilter>();
        app.MapPost("/logout", Logout)
            .WithTags("Authentication")
            .RequireAuthorization()
            .ProducesErrors(401, 503)
            .WithSummary("Log out")
            .WithDescription("Revokes the token this request carries, on every instance within a second, until it expires; the user's other tokens keep working. No body; 204. Logging out twice is a 401 the second time (the token no longer authenticates).")
            .WithErrorExample(StatusCodes.Status401Unauthorized, "Could not validate credentials");
        return app;
    }

    /// <summary>
    /// Unknown e-mail, wrong password and locked account all get the same 403 after the same
    /// bcrypt work (not 401: the original's choice, which its clients expect), and each counts
    /// against the client's address; an address out of failures gets 429 before any of that work.
    /// </summary>
    static async Task<Results<Ok<TokenResponse>, JsonHttpResult<ErrorResponse>>> Login(
        LoginForm form, AppDbContext db, PasswordCheck check, TokenService tokens, ApiMetrics metrics,
        HttpContext http, ILogger<LoginForm> logger, CancellationToken cancellationToken)
    {
        // Exact, case-sensitive match with the stored (normalised) e-mail, as the original does.
        var (account, refusal) = await check.CheckAsync(db.Users.Where(u => u.Email == form.Username), form.Password, PasswordUse.Login, http, cancellationToken);
        if (refusal is not null)
            return refusal;

        metrics.LoggedIn(ApiMetrics.Login.Success);
        logger.LogInformation("Login succeeded for user {UserId} from {ClientIp}", account!.Id, http.Connection.RemoteIpAddress);
        return TypedResults.Ok(new TokenResponse(tokens.CreateToken(account.Id, account.TokensValidAfter), "bearer"));
    }

    /// <summary>The token's digest goes into revoked_tokens until its exp; the table's trigger tells every other instance.</summary>
    static async Task<NoContent> Logout(
        Caller caller, RevokedTokens revoked, NpgsqlDataSource database, ApiMetrics metrics, ILogger<Caller> logger, CancellationToken cancellationToken)
    {
        await revoked.RevokeAsync(caller.Token, caller.TokenExpires, database, cancellationToken);
        metrics.AccountChanged(ApiMetrics.AccountChange.LoggedOut);
        logger.LogInformation("User {UserId} logged out a token", caller.Id);
        return TypedResults.NoContent();
    }
}
