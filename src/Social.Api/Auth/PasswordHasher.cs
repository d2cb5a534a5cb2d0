using BCrypt.Net;
using Social.Api.Infrastructure;

namespace Social.Api.Auth;

/// <summary>
/// Standard bcrypt (<c>$2b$</c>), as the original's passlib makes and checks it, so its users keep
/// their passwords. Deliberately not BCrypt.Net's "enhanced" mode, whose hashes plain bcrypt
/// cannot verify.
/// </summary>
public sealed class PasswordHasher(Settings settings)
{
    readonly int _cost = settings.BcryptCost;
    readonly Lazy<string> _decoy = new(() => BCrypt.Net.BCrypt.HashPassword(Guid.NewGuid().ToString(), BCrypt.Net.BCrypt.GenerateSalt(settings.BcryptCost, 'b')));

    public string Hash(string password) =>
        BCrypt.Net.BCrypt.HashPassword(password, BCrypt.Net.BCrypt.GenerateSalt(_cost, 'b'));

    /// <summary>
    /// Checks a password against a stored hash. With no hash (unknown account) it still does the
    /// same bcrypt work, so the response time does not reveal which e-mails are registered.
    /// </summary>
    public bool Verify(string password, string? hash)
    {
        if (hash is null)
        {
            BCrypt.Net.BCrypt.Verify(password, _decoy.Value);
            return false;
        }
        try
        {
            return BCrypt.Net.BCrypt.Verify(password, hash);
        }
        catch (SaltParseException)
        {
            return false; // not a bcrypt hash: no password matches it
        }
    }
}
