using Microsoft.IdentityModel.Tokens;
using Social.Api.Infrastructure;

namespace Social.Api.Auth;

/// <summary>How tokens are signed and checked: the original's SECRET_KEY, ALGORITHM and lifetime.</summary>
public sealed record JwtSettings(SymmetricSecurityKey Key, string Algorithm, TimeSpan Lifetime)
{
    /// <summary>The name of the one claim that identifies the caller, as the original mints it.</summary>
    public const string UserIdClaim = "user_id";

    public static JwtSettings From(TokenSettings tokens) => new(
        new SymmetricSecurityKey(tokens.SigningKeyBytes()),
        tokens.Algorithm,
        TimeSpan.FromMinutes(tokens.ExpireMinutes));
}
