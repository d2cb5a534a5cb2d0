using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Social.Api.Users;
using Social.Api.Votes;

namespace Social.Api.Posts;

/// <summary>A row of the original's <c>posts</c> table.</summary>
public sealed class Post
{
    public int Id { get; set; }
    public required string Title { get; set; }
    public required string Content { get; set; }
    public int OwnerId { get; set; }
    public bool Published { get; set; } = true;
    public DateTime CreatedAt { get; set; }

    public User Owner { get; set; } = null!;
    public List<Vote> Votes { get; } = [];
}

sealed class PostConfiguration : IEntityTypeConfiguration<Post>
{
    public void Configure(EntityTypeBuilder<Post> post)
    {
        post.ToTable("posts");
        post.HasKey(p => p.Id).HasName("posts_pkey");
        post.Property(p => p.Title).HasColumnType("character varying");
        post.Property(p => p.Content).HasColumnType("character varying");
        // The database default is the original's; EF always sends the value it has, so an explicit
        // false is stored as false rather than being mistaken for "not set".
        post.Property(p => p.Published).HasDefaultValue(true).ValueGeneratedNever();
        post.Property(p => p.CreatedAt).HasColumnType("timestamp with time zone").HasDefaultValueSql("now()");
        // Ours (migration SearchIndex): searches pick their ids from this index alone, never
        // visiting the rows they skip.
        post.HasIndex(p => p.Id).HasDatabaseName("ix_posts_id_title").IncludeProperties(p => p.Title);
        post.HasOne(p => p.Owner).WithMany(u => u.Posts)
            .HasForeignKey(p => p.OwnerId)
            .HasConstraintName("post_users_fk")
            .OnDelete(DeleteBehavior.Cascade);
    }
}
