using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Social.Api.Data;
using Social.Api.Users;

namespace Social.Api.Auth;

/// <summary>
/// Consecutive failed logins of one account (table <c>login_lockouts</c>, ours, invisible to the
/// original). Kept in the database so every instance of the service sees the same count.
/// </summary>
public sealed class LoginLockout
{
    public int UserId { get; set; }
    public int Failures { get; set; }

    /// <summary>Set once the failures reach the threshold; the account is refused until then.</summary>
    public DateTime? LockedUntil { get; set; }

    public User User { get; set; } = null!;
}

sealed class LoginLockoutConfiguration : IEntityTypeConfiguration<LoginLockout>
{
    public void Configure(EntityTypeBuilder<LoginLockout> lockout)
    {
        lockout.ToTable("login_lockouts");
        lockout.HasKey(l => l.UserId).HasName("login_lockouts_pkey");
        lockout.Property(l => l.UserId).ValueGeneratedNever();
        lockout.Property(l => l.LockedUntil).HasColumnType("timestamp with time zone");
        lockout.HasOne(l => l.User).WithOne(u => u.Lockout)
            .HasForeignKey<LoginLockout>(l => l.UserId)
            .HasConstraintName("login_lockouts_user_id_fkey")
            .OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>
/// The Keycloak model: after LOCKOUT_THRESHOLD consecutive failures the account is locked for
/// LOCKOUT_SECONDS; while locked even the right password is refused with the usual answer;
/// failures during the lock do not extend it; a success resets the count; the lock lifts by itself.
/// </summary>
public static class LoginLockouts
{
    /// <summary>Counts one failure in a single statement (safe under concurrent attempts); true when the account is now locked.</summary>
    public static async Task<bool> RecordFailureAsync(AppDbContext db, int userId, int threshold, TimeSpan duration, CancellationToken cancellationToken)
    {
        var locked = await db.Database.SqlQuery<bool>($"""
            INSERT INTO login_lockouts AS l (user_id, failures, locked_until)
            VALUES ({userId}, 1, CASE WHEN 1 >= {threshold} THEN now() + {duration} END)
            ON CONFLICT (user_id) DO UPDATE SET
                failures = CASE WHEN l.locked_until <= now() THEN 1 ELSE l.failures + 1 END,
                locked_until = CASE
                    WHEN l.locked_until > now() THEN l.locked_until
                    WHEN (CASE WHEN l.locked_until <= now() THEN 1 ELSE l.failures + 1 END) >= {threshold} THEN now() + {duration}
                END
            RETURNING coalesce(locked_until > now(), false) AS "Value"
            """).ToListAsync(cancellationToken);
        return locked.Single();
    }

    public static Task ClearAsync(AppDbContext db, int userId, CancellationToken cancellationToken) =>
        db.Set<LoginLockout>().Where(l => l.UserId == userId).ExecuteDeleteAsync(cancellationToken);
}
