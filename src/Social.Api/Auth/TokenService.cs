using System.Globalization;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Social.Api.Auth;

/// <summary>Mints access tokens byte-compatible with the original's (python-jose, HS256).</summary>
public sealed class TokenService(JwtSettings jwt, TimeProvider time)
{
    readonly JsonWebTokenHandler _handler = new();
    readonly SigningCredentials _credentials = new(jwt.Key, jwt.Algorithm);

    public string CreateToken(int userId)
    {
        // Whole seconds, as the original truncates them.
        var expires = time.GetUtcNow().Add(jwt.Lifetime).ToUnixTimeSeconds();
        // Exactly the original's payload, no iat/nbf/jti: clients decode it and read user_id as an integer.
        var payload = string.Create(CultureInfo.InvariantCulture, $$"""{"user_id":{{userId}},"exp":{{expires}}}""");
        return _handler.CreateToken(payload, _credentials);
    }
}
