using System.Globalization;
using System.Security.Claims;

namespace Social.Api.Auth;

public static class CurrentUser
{
    /// <summary>The caller's user id; only called on endpoints that require authentication.</summary>
    public static int UserId(this ClaimsPrincipal principal) =>
        int.Parse(principal.FindFirstValue(JwtSettings.UserIdClaim)!, CultureInfo.InvariantCulture);
}
