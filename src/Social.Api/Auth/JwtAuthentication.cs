using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Social.Api.Infrastructure;

namespace Social.Api.Auth;

/// <summary>
/// Bearer tokens checked the way the original's clients rely on: pinned algorithm, <c>exp</c>
/// required with no leeway, a <c>user_id</c> that is an integer naming an existing user, and the
/// original's 401 bodies; and, beyond the original, not revoked by a password change or a logout.
/// </summary>
public static class JwtAuthentication
{
    public static IServiceCollection AddJwtAuthentication(this IServiceCollection services, JwtSettings jwt)
    {
        services.AddSingleton(jwt);
        services.AddSingleton<TokenService>();
        services.AddSingleton<PasswordHasher>();
        services.AddSingleton<KnownUsers>();
        services.AddSingleton<RevokedTokens>();
        services.AddSingleton(RevocationSettings.Default);
        services.AddHostedService<RevokedTokenPruner>();
        services.AddScoped<PasswordCheck>();
        // No default scheme, not even the only one: a request is authenticated only where an
        // endpoint requires it, by the policy below. The public endpoints (a profile, login,
        // registration, health, docs) skip the bearer handler and what it allocates per request.
        AppContext.SetSwitch("Microsoft.AspNetCore.Authentication.SuppressAutoDefaultScheme", true);
        services.AddAuthentication()
            .AddJwtBearer(options =>
            {
                options.MapInboundClaims = false;
                options.TokenValidationParameters = new TokenValidationParameters
                {
                    IssuerSigningKey = jwt.Key,
                    ValidAlgorithms = [jwt.Algorithm],
                    RequireSignedTokens = true,
                    RequireExpirationTime = true,
                    ValidateLifetime = true,
                    ClockSkew = TimeSpan.Zero,
                    ValidateIssuer = false,
                    ValidateAudience = false,
                    NameClaimType = JwtSettings.UserIdClaim,
                };
                options.Events = new OriginalBearerEvents();
            });
        services.AddAuthorization(options => options.DefaultPolicy =
            new AuthorizationPolicyBuilder(JwtBearerDefaults.AuthenticationScheme).RequireAuthenticatedUser().Build());
        // Authentication pulls in data protection, which nothing here uses (no cookies, no
        // antiforgery). Its keys stay in memory, and its start-up service goes: that service loads
        // the key ring at start whatever the provider, reading the user's profile and writing a key
        // into it on a first start (and loading the XML stack to do so).
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        var keyRingLoader = services.FirstOrDefault(descriptor => descriptor.ServiceType == typeof(IHostedService)
            && descriptor.ImplementationType?.FullName == "Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService");
        if (keyRingLoader is not null)
            services.Remove(keyRingLoader);
        return services;
    }
}

sealed class OriginalBearerEvents : JwtBearerEvents
{
    /// <summary>
    /// Reads the header as FastAPI's OAuth2PasswordBearer does: "scheme token", split at the first
    /// space. No header or another scheme is "not authenticated"; a Bearer with an empty or
    /// unusable token is "could not validate credentials". Tokens in the URL or cookies are ignored.
    /// </summary>
    public override Task MessageReceived(MessageReceivedContext context)
    {
        var headers = context.Request.Headers.Authorization;
        if (headers.Count > 1)
        {
            context.Fail("More than one Authorization header.");
            return Task.CompletedTask;
        }

        // Read as spans: this runs on every authenticated request.
        var value = headers.ToString();
        var space = value.IndexOf(' ', StringComparison.Ordinal);
        var scheme = space < 0 ? value.AsSpan() : value.AsSpan(0, space);
        if (!scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            context.NoResult();
            return Task.CompletedTask;
        }

        // "Bearer  token" (two spaces) is refused, as the original refuses it: no trimming.
        var token = space < 0 ? "" : value[(space + 1)..];
        if (token.Length == 0 || HasWhiteSpace(token))
        {
            context.Fail("Empty or malformed bearer token.");
            return Task.CompletedTask;
        }

        context.Token = token;
        return Task.CompletedTask;
    }

    static bool HasWhiteSpace(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
                return true;
        }
        return false;
    }

    public override async Task TokenValidated(TokenValidatedContext context)
    {
        var token = context.SecurityToken as JsonWebToken;
        if (ReadUserId(token) is not { } userId)
        {
            context.Fail("The token's user_id is not an integer.");
            return;
        }

        // The original trusted any signed user_id; a deleted or never-existing user is refused here.
        var services = context.HttpContext.RequestServices;
        var cancellationToken = context.HttpContext.RequestAborted;
        var user = await services.GetRequiredService<KnownUsers>().FindAsync(userId, cancellationToken);
        if (user is null)
        {
            context.Fail("The token's user does not exist.");
            return;
        }

        // Both from memory in the common case (see KnownUsers and RevokedTokens).
        if (!TokenService.IsValidAfter(services.GetRequiredService<TokenService>().IssuedAt(token!.ValidTo), user.TokensValidAfter))
        {
            context.Fail("The token was issued before the user's password changed.");
            return;
        }
        var digest = TokenDigest.Of(token.EncodedToken);
        if (await services.GetRequiredService<RevokedTokens>().IsRevokedAsync(digest, services, cancellationToken))
        {
            context.Fail("The token was logged out.");
            return;
        }
        context.HttpContext.Features.Set(new Caller(user.Profile, digest, token.ValidTo));
    }

    public override async Task Challenge(JwtBearerChallengeContext context)
    {
        context.HandleResponse();
        var invalid = context.AuthenticateFailure is not null;
        // RFC 6750 §3: no error code when no credentials were sent.
        context.Response.Headers.WWWAuthenticate = invalid ? "Bearer error=\"invalid_token\"" : "Bearer";
        await context.Response.WriteErrorAsync(StatusCodes.Status401Unauthorized,
            invalid ? "Could not validate credentials" : "Not authenticated",
            cancellationToken: context.HttpContext.RequestAborted);
    }

    // A JSON integer that fits the users.id column; "5", 1.5, [1] or 10**20 are refused. Read from
    // the payload itself: claim mapping would turn [1] into an integer claim "1".
    static int? ReadUserId(JsonWebToken? token)
    {
        if (token is null)
            return null;
        using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(token.EncodedPayload));
        return payload.RootElement.TryGetProperty(JwtSettings.UserIdClaim, out var userId)
            && userId.ValueKind == JsonValueKind.Number
            && userId.TryGetInt32(out var id)
                ? id
                : null;
    }
}
