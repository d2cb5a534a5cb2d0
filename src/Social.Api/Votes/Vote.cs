using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Social.Api.Posts;
using Social.Api.Users;

namespace Social.Api.Votes;

/// <summary>A row of the original's <c>votes</c> table: one vote per user and post, by its primary key.</summary>
public sealed class Vote
{
    public int UserId { get; set; }
    public int PostId { get; set; }

    public User User { get; set; } = null!;
    public Post Post { get; set; } = null!;
}

sealed class VoteConfiguration : IEntityTypeConfiguration<Vote>
{
    public void Configure(EntityTypeBuilder<Vote> vote)
    {
        vote.ToTable("votes");
        vote.HasKey(v => new { v.UserId, v.PostId }).HasName("votes_pkey");
        vote.HasOne(v => v.User).WithMany()
            .HasForeignKey(v => v.UserId)
            .HasConstraintName("votes_user_id_fkey")
            .OnDelete(DeleteBehavior.Cascade);
        vote.HasOne(v => v.Post).WithMany(p => p.Votes)
            .HasForeignKey(v => v.PostId)
            .HasConstraintName("votes_post_id_fkey")
            .OnDelete(DeleteBehavior.Cascade);
        // Not in the original: without it every vote count scans the whole table.
        vote.HasIndex(v => v.PostId).HasDatabaseName("ix_votes_post_id");
    }
}
