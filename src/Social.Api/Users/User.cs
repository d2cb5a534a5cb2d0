using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Social.Api.Auth;
using Social.Api.Posts;

namespace Social.Api.Users;

/// <summary>A row of the original's <c>users</c> table. Never serialized: see <see cref="UserResponse"/>.</summary>
public sealed class User
{
    public int Id { get; set; }
    public required string Email { get; set; }

    /// <summary>The bcrypt hash (the original named the column <c>password</c>).</summary>
    public required string Password { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>In the original's schema, never used by its API.</summary>
    public string? PhoneNumber { get; set; }

    /// <summary>
    /// Ours (null for the original's rows): tokens issued before this instant are refused. Set to
    /// a whole second when the password changes; see <see cref="TokenService"/> for the rounding.
    /// </summary>
    public DateTime? TokensValidAfter { get; set; }

    public List<Post> Posts { get; } = [];

    /// <summary>Failed-login bookkeeping; null while the account has no recent failures.</summary>
    public LoginLockout? Lockout { get; set; }
}

sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> user)
    {
        user.ToTable("users");
        user.HasKey(u => u.Id).HasName("users_pkey");
        user.Property(u => u.Email).HasColumnType("character varying");
        // A UNIQUE constraint (not just an index), named as the original's migrations name it.
        user.HasAlternateKey(u => u.Email).HasName("users_email_key");
        user.Property(u => u.Password).HasColumnType("character varying");
        user.Property(u => u.CreatedAt).HasColumnType("timestamp with time zone").HasDefaultValueSql("now()");
        user.Property(u => u.PhoneNumber).HasColumnType("character varying");
        user.Property(u => u.TokensValidAfter).HasColumnType("timestamp with time zone");
    }
}
