using Microsoft.EntityFrameworkCore;
using Social.Api.ApiDocs;
using Social.Api.Data;
using Social.Api.Infrastructure;
using Social.Api.Infrastructure.Validation;
using Social.Api.Observability;

namespace Social.Api.Auth;

public static class AuthEndpoints
{
    public const string InvalidCredentials = "Invalid Credentials";

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
        return app;
    }

    /// <summary>
    /// Unknown e-mail, wrong password and locked account all get the same 403 after the same
    /// bcrypt work (not 401: the original's choice, which its clients expect), and each counts
    /// against the client's address; an address out of failures gets 429 before any of that work.
    /// </summary>
    static async Task<Results<Ok<TokenResponse>, JsonHttpResult<ErrorResponse>>> Login(
        LoginForm form, AppDbContext db, PasswordHasher passwords, TokenService tokens, Settings settings,
        FailedLoginLimiter failedLogins, ApiMetrics metrics, HttpContext http, ILogger<LoginForm> logger, CancellationToken cancellationToken)
    {
        var clientIp = http.Connection.RemoteIpAddress;
        if (await failedLogins.RetryAfterAsync(clientIp) is { } wait)
        {
            ClientLimits.LogThrottled(logger, http);
            metrics.LoggedIn(ApiMetrics.Login.Throttled);
            metrics.Throttled(ApiMetrics.Limit.Login);
            return Problems.TooManyRequests(http.Response, wait);
        }

        // Exact, case-sensitive match with the stored (normalised) e-mail, as the original does.
        var account = await db.Users
            .Where(u => u.Email == form.Username)
            .Select(u => new
            {
                u.Id,
                u.Password,
                HasFailures = u.Lockout != null,
                Locked = u.Lockout != null && u.Lockout.LockedUntil > DateTime.UtcNow,
            })
            .FirstOrDefaultAsync(cancellationToken);

        if (account is { Locked: true })
        {
            await passwords.VerifyAsync(form.Password, null, cancellationToken);
            logger.LogWarning("Login refused for user {UserId} from {ClientIp}: account locked", account.Id, clientIp);
            await failedLogins.RecordFailureAsync(clientIp);
            metrics.LoggedIn(ApiMetrics.Login.Locked);
            return Problems.Forbidden(InvalidCredentials);
        }

        if (!await passwords.VerifyAsync(form.Password, account?.Password, cancellationToken) || account is null)
        {
            if (account is null)
            {
                logger.LogInformation("Login failed from {ClientIp}: unknown account", clientIp);
            }
            else if (await LoginLockouts.RecordFailureAsync(db, account.Id, settings.Passwords.LockoutThreshold, settings.Passwords.LockoutDuration, cancellationToken))
            {
                logger.LogWarning("Login failed for user {UserId} from {ClientIp}: wrong password; account locked for {Seconds} s",
                    account.Id, clientIp, settings.Passwords.LockoutDuration.TotalSeconds);
            }
            else
            {
                logger.LogInformation("Login failed for user {UserId} from {ClientIp}: wrong password", account.Id, clientIp);
            }
            await failedLogins.RecordFailureAsync(clientIp);
            metrics.LoggedIn(account is null ? ApiMetrics.Login.UnknownAccount : ApiMetrics.Login.WrongPassword);
            return Problems.Forbidden(InvalidCredentials);
        }

        if (account.HasFailures)
            await LoginLockouts.ClearAsync(db, account.Id, cancellationToken);
        metrics.LoggedIn(ApiMetrics.Login.Success);
        logger.LogInformation("Login succeeded for user {UserId} from {ClientIp}", account.Id, clientIp);
        return TypedResults.Ok(new TokenResponse(tokens.CreateToken(account.Id), "bearer"));
    }
}
