using Social.Api.Infrastructure.Validation;

namespace Social.Api.Users;

/// <summary>
/// Body of <c>PUT /users/me/password</c>. The new password follows registration's rules (a
/// string of at most MAX_PASSWORD_LENGTH characters, no NUL); the current one is only compared,
/// as a login compares it, so it has no length rule of its own beyond the body limit.
/// </summary>
public sealed record PasswordChangeRequest(string CurrentPassword, string NewPassword) : IJsonRequest<PasswordChangeRequest>
{
    public static PasswordChangeRequest Read(JsonFields fields) => new(
        fields.String("current_password") ?? "",
        fields.String("new_password", fields.Limits.MaxPasswordLength) ?? "");
}

/// <summary>Body of <c>DELETE /users/me</c>: the account's password, checked as a login checks it.</summary>
public sealed record AccountDeletionRequest(string Password) : IJsonRequest<AccountDeletionRequest>
{
    public static AccountDeletionRequest Read(JsonFields fields) => new(fields.String("password") ?? "");
}
