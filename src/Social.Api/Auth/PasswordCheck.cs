using Microsoft.EntityFrameworkCore;
using Social.Api.Data;
using Social.Api.Infrastructure;
using Social.Api.Observability;
using Social.Api.Users;

namespace Social.Api.Auth;

/// <summary>What an account's row says about its password, found by e-mail (login) or by id (the caller's own account).</summary>
public sealed record StoredPassword(int Id, string Hash, bool HasFailures, bool Locked, DateTime? TokensValidAfter);

/// <summary>Where a password is being checked: the log lines and login metrics tell them apart.</summary>
public enum PasswordUse { Login, PasswordChange, AccountDeletion }

/// <summary>
/// Every check of a password the client types, wherever it happens (POST /login, changing the
/// password, deleting the account), counts the same way: against the account's lockout and the
/// client address's failed-login throttle, with the same answers (403 <c>Invalid Credentials</c>,
/// 429 with Retry-After) after the same bcrypt work. So none of them is a brute-force oracle that
/// the others would not be.
/// </summary>
public sealed class PasswordCheck(
    AppDbContext db, PasswordHasher passwords, Settings settings, FailedLoginLimiter failedLogins, ApiMetrics metrics, ILogger<PasswordCheck> logger)
{
    public const string InvalidCredentials = "Invalid Credentials";

    /// <summary>
    /// Checks <paramref name="password"/> against the account <paramref name="account"/> finds (or
    /// none): the account when it is right and the account not locked (its failure count is then
    /// cleared), else the answer to give: 429 for an address out of failed attempts (before any
    /// database or bcrypt work), or 403 with the failure counted and logged.
    /// </summary>
    public async Task<(StoredPassword? Account, JsonHttpResult<ErrorResponse>? Refusal)> CheckAsync(
        IQueryable<User> account, string password, PasswordUse use, HttpContext http, CancellationToken cancellationToken)
    {
        if (await ThrottledAsync(http, use) is { } throttled)
            return (null, throttled);
        var stored = await account
            .Select(u => new StoredPassword(u.Id, u.Password, u.Lockout != null, u.Lockout != null && u.Lockout.LockedUntil > DateTime.UtcNow, u.TokensValidAfter))
            .FirstOrDefaultAsync(cancellationToken);
        return await RefusedAsync(stored, password, use, http, cancellationToken) is { } refused ? (null, refused) : (stored, null);
    }

    async Task<JsonHttpResult<ErrorResponse>?> ThrottledAsync(HttpContext http, PasswordUse use)
    {
        if (await failedLogins.RetryAfterAsync(http.Connection.RemoteIpAddress) is not { } wait)
            return null;
        ClientLimits.LogThrottled(logger, http);
        if (use == PasswordUse.Login)
            metrics.LoggedIn(ApiMetrics.Login.Throttled);
        metrics.Throttled(ApiMetrics.Limit.Login);
        return Problems.TooManyRequests(http.Response, wait);
    }

    async Task<JsonHttpResult<ErrorResponse>?> RefusedAsync(
        StoredPassword? account, string password, PasswordUse use, HttpContext http, CancellationToken cancellationToken)
    {
        var clientIp = http.Connection.RemoteIpAddress;
        if (account is { Locked: true })
        {
            await passwords.VerifyAsync(password, null, cancellationToken);
            logger.LogWarning("{Use} refused for user {UserId} from {ClientIp}: account locked", Describe(use), account.Id, clientIp);
            return await RefuseAsync(ApiMetrics.Login.Locked);
        }

        if (!await passwords.VerifyAsync(password, account?.Hash, cancellationToken) || account is null)
        {
            if (account is null)
            {
                logger.LogInformation("{Use} failed from {ClientIp}: unknown account", Describe(use), clientIp);
            }
            else if (await LoginLockouts.RecordFailureAsync(db, account.Id, settings.Passwords.LockoutThreshold, settings.Passwords.LockoutDuration, cancellationToken))
            {
                logger.LogWarning("{Use} failed for user {UserId} from {ClientIp}: wrong password; account locked for {Seconds} s",
                    Describe(use), account.Id, clientIp, settings.Passwords.LockoutDuration.TotalSeconds);
            }
            else
            {
                logger.LogInformation("{Use} failed for user {UserId} from {ClientIp}: wrong password", Describe(use), account.Id, clientIp);
            }
            return await RefuseAsync(account is null ? ApiMetrics.Login.UnknownAccount : ApiMetrics.Login.WrongPassword);
        }

        if (account.HasFailures)
            await LoginLockouts.ClearAsync(db, account.Id, cancellationToken);
        return null;

        async Task<JsonHttpResult<ErrorResponse>> RefuseAsync(ApiMetrics.Login outcome)
        {
            await failedLogins.RecordFailureAsync(clientIp);
            if (use == PasswordUse.Login)
                metrics.LoggedIn(outcome);
            return Problems.Forbidden(InvalidCredentials);
        }
    }

    static string Describe(PasswordUse use) => use switch
    {
        PasswordUse.Login => "Login",
        PasswordUse.PasswordChange => "Password change",
        _ => "Account deletion",
    };
}
