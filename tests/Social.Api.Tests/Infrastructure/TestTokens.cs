using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Social.Api.Tests.Infrastructure;

/// <summary>
/// Compact JWS built by hand, as PyJWT or python-jose would build them, so tests can also craft
/// the tokens no honest issuer makes (no exp, alg none, odd user_id).
/// </summary>
public static class TestTokens
{
    public const string DefaultHeader = """{"alg":"HS256","typ":"JWT"}""";

    public static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public static string ForUser(int userId, long? expires = null, string key = ApiFactory.SecretKey) =>
        Mint($$"""{"user_id":{{userId}},"exp":{{expires ?? Now + 600}}}""", key);

    public static string Mint(string payloadJson, string key = ApiFactory.SecretKey, string headerJson = DefaultHeader)
    {
        var signingInput = $"{Encode(headerJson)}.{Encode(payloadJson)}";
        var header = System.Text.Json.JsonDocument.Parse(headerJson).RootElement;
        var algorithm = header.TryGetProperty("alg", out var alg) ? alg.GetString() : null;
        var keyBytes = Encoding.UTF8.GetBytes(key);
        var signature = algorithm switch
        {
            "HS256" => HMACSHA256.HashData(keyBytes, Encoding.ASCII.GetBytes(signingInput)),
            "HS384" => HMACSHA384.HashData(keyBytes, Encoding.ASCII.GetBytes(signingInput)),
            "HS512" => HMACSHA512.HashData(keyBytes, Encoding.ASCII.GetBytes(signingInput)),
            _ => [],
        };
        return $"{signingInput}.{Base64UrlEncoder.Encode(signature)}";
    }

    static string Encode(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));

    public static string DecodePart(string token, int part) =>
        Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(token.Split('.')[part]));
}
