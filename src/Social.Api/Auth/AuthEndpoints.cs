using Microsoft.EntityFrameworkCore;
using Social.Api.Data;
using Social.Api.Infrastructure;
using Social.Api.Infrastructure.Validation;

namespace Social.Api.Auth;

public static class AuthEndpoints
{
    public const string InvalidCredentials = "Invalid Credentials";

    public static IEndpointRouteBuilder MapAuth(this IEndpointRouteBuilder app)
    {
        app.MapPost("/login", Login)
            .WithTags("Authentication")
            .AddEndpointFilter<ValidationFilter>();
        return app;
    }

    /// <summary>
    /// Unknown e-mail and wrong password get the same 403 (not 401: the original's choice, which
    /// its clients expect).
    /// </summary>
    static async Task<Results<Ok<TokenResponse>, JsonHttpResult<ErrorResponse>>> Login(
        LoginForm form, AppDbContext db, PasswordHasher passwords, TokenService tokens, HttpResponse response, CancellationToken cancellationToken)
    {
        // Exact, case-sensitive match with the stored (normalised) e-mail, as the original does.
        var user = await db.Users
            .Where(u => u.Email == form.Username)
            .Select(u => new { u.Id, u.Password })
            .FirstOrDefaultAsync(cancellationToken);

        if (!passwords.Verify(form.Password, user?.Password) || user is null)
            return Problems.Forbidden(InvalidCredentials);

        // RFC 6749 §5.1: token responses must not be cached.
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
        return TypedResults.Ok(new TokenResponse(tokens.CreateToken(user.Id), "bearer"));
    }
}
