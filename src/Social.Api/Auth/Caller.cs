using System.Reflection;
using Social.Api.Users;

namespace Social.Api.Auth;

/// <summary>
/// The authenticated user of the request, with their public profile (loaded or cached while the
/// token was checked) and the token they presented (its digest and expiry, for logging out). A
/// handler parameter on protected endpoints.
/// </summary>
public sealed record Caller(UserResponse Profile, TokenDigest Token, DateTime TokenExpires)
{
    public int Id => Profile.Id;

    public static ValueTask<Caller?> BindAsync(HttpContext context, ParameterInfo parameter) =>
        ValueTask.FromResult<Caller?>(context.Features.Get<Caller>()
            ?? throw new InvalidOperationException("Caller is only available on endpoints that require authentication."));
}
