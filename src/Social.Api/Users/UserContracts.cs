using Social.Api.Infrastructure.Validation;

namespace Social.Api.Users;

/// <summary>Registration body. Unknown keys (<c>id</c>, <c>is_admin</c>, ...) are ignored.</summary>
public sealed record UserRequest(string Email, string Password) : IJsonRequest<UserRequest>
{
    public static UserRequest Read(JsonFields fields)
    {
        var email = fields.String("email");
        var normalized = EmailAddress.Normalize(email);
        if (email is not null && normalized is null)
            fields.Add(ValidationErrors.NotAnEmail("body", "email"));
        return new(normalized ?? "", fields.String("password", fields.Limits.MaxPasswordLength) ?? "");
    }
}

/// <summary>The public profile: exactly these three keys, never the password hash.</summary>
public sealed record UserResponse(int Id, string Email, DateTime CreatedAt);

public static class UserMapping
{
    public static UserResponse ToResponse(this User user) => new(user.Id, user.Email, user.CreatedAt);
}
