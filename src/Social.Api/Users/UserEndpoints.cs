using Microsoft.EntityFrameworkCore;
using Npgsql;
using Social.Api.ApiDocs;
using Social.Api.Auth;
using Social.Api.Data;
using Social.Api.Infrastructure;
using Social.Api.Infrastructure.Validation;
using Social.Api.Observability;

namespace Social.Api.Users;

public static class UserEndpoints
{
    public static RouteGroupBuilder MapUsers(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/users")
            .WithTags("Users")
            .NoStore()
            .ProducesErrors(422, 503)
            .AddEndpointFilter<ValidationFilter>();

        users.MapPost("/", CreateUser)
            .RequireRateLimiting(ClientLimits.Registration)
            .ProducesErrors(400, 413, 429)
            .WithSummary("Register")
            .WithDescription("Creates an account. The e-mail is normalised as the original does (domain lower-cased); the password is stored as a bcrypt hash and never returned. 409 if the e-mail is taken.")
            .WithExamples(request: Examples.Registration, response: Examples.User);
        users.MapGet("/{id}", GetUser)
            .WithSummary("Public profile")
            .WithDescription("The user's id, e-mail and registration time. Public: no token needed.")
            .WithExamples(response: Examples.User);
        return users;
    }

    static async Task<Results<Created<UserResponse>, Conflict<ErrorResponse>>> CreateUser(
        JsonBody<UserRequest> body, AppDbContext db, PasswordHasher passwords, ApiMetrics metrics, CancellationToken cancellationToken)
    {
        var request = body.Value;
        if (await db.Users.AnyAsync(u => u.Email == request.Email, cancellationToken))
            return EmailTaken(request.Email);

        var user = new User { Email = request.Email, Password = await passwords.HashAsync(request.Password, cancellationToken) };
        db.Users.Add(user);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // Registered by a concurrent request since the check above: the constraint settles it.
            return EmailTaken(request.Email);
        }
        metrics.Registered();
        return TypedResults.Created($"/users/{user.Id}", user.ToResponse());
    }

    /// <summary>
    /// Profiles never change once registered and deletions are announced by the database, so the
    /// cache that serves token checks answers here too (a round trip only for users not seen lately).
    /// </summary>
    static async Task<Results<Ok<UserResponse>, NotFound<ErrorResponse>>> GetUser(
        RouteId id, KnownUsers knownUsers, CancellationToken cancellationToken)
    {
        var user = await knownUsers.FindAsync(id.Value, cancellationToken);
        return user is null
            ? TypedResults.NotFound(new ErrorResponse($"User with id: {id} does not exist"))
            : TypedResults.Ok(user.Profile);
    }

    static Conflict<ErrorResponse> EmailTaken(string email) =>
        TypedResults.Conflict(new ErrorResponse($"User with email: {email} already exists"));
}
