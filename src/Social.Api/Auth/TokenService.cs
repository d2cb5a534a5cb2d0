using System.Globalization;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Social.Api.Auth;

/// <summary>
/// Mints access tokens byte-compatible with the original's (python-jose, HS256), and tells when a
/// token was issued without a claim for it: its <c>exp</c> minus the configured lifetime.
/// </summary>
/// <remarks>
/// Revocation by a user's "not before" instant (<c>users.tokens_valid_after</c>) works in whole
/// seconds, as <c>exp</c> does: the instant is stored rounded up to the next whole second, a token
/// is refused when its issue second is before it, and no token is minted with an issue second
/// before it. So a token minted in the second of a password change but before it is refused, and
/// one minted after it in that same second is issued "at" the next second (its lifetime is longer
/// by less than a second) and accepted.
/// </remarks>
public sealed class TokenService(JwtSettings jwt, TimeProvider time)
{
    readonly JsonWebTokenHandler _handler = new();
    readonly SigningCredentials _credentials = new(jwt.Key, jwt.Algorithm);
    readonly long _lifetimeSeconds = (long)jwt.Lifetime.TotalSeconds;

    /// <param name="tokensValidAfter">The user's not-before instant, when one is set.</param>
    public string CreateToken(int userId, DateTime? tokensValidAfter = null)
    {
        // Whole seconds, as the original truncates them.
        var issued = time.GetUtcNow().ToUnixTimeSeconds();
        if (tokensValidAfter is { } notBefore)
            issued = Math.Max(issued, WholeSecondAtOrAfter(notBefore));
        var expires = issued + _lifetimeSeconds;
        // Exactly the original's payload, no iat/nbf/jti: clients decode it and read user_id as an integer.
        var payload = string.Create(CultureInfo.InvariantCulture, $$"""{"user_id":{{userId}},"exp":{{expires}}}""");
        return _handler.CreateToken(payload, _credentials);
    }

    /// <summary>The second a token was issued in (Unix time), told by its <c>exp</c>.</summary>
    public long IssuedAt(DateTime expires) => new DateTimeOffset(DateTime.SpecifyKind(expires, DateTimeKind.Utc)).ToUnixTimeSeconds() - _lifetimeSeconds;

    /// <summary>Whether a token issued in second <paramref name="issuedAt"/> is still valid for a user with this not-before instant.</summary>
    public static bool IsValidAfter(long issuedAt, DateTime? tokensValidAfter) =>
        tokensValidAfter is not { } notBefore || issuedAt >= WholeSecondAtOrAfter(notBefore);

    /// <summary>The not-before instant a change made now stores: the next whole second (now itself when it is one).</summary>
    public DateTime NotBeforeNow() => DateTime.UnixEpoch.AddSeconds(WholeSecondAtOrAfter(time.GetUtcNow().UtcDateTime));

    // Rounded up, so that an instant written by hand (not a whole second) is honoured the same way.
    static long WholeSecondAtOrAfter(DateTime instant)
    {
        var ticks = DateTime.SpecifyKind(instant, DateTimeKind.Utc).Ticks - DateTime.UnixEpoch.Ticks;
        return ticks / TimeSpan.TicksPerSecond + (ticks % TimeSpan.TicksPerSecond > 0 ? 1 : 0);
    }
}
