using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Social.Api.Data.Migrations
{
    /// <summary>
    /// Indexes the original lacks: votes(post_id) turns every vote count from a scan of all votes
    /// into an index lookup; posts(owner_id) keeps deleting a user from scanning all posts.
    /// Built CONCURRENTLY (outside a transaction) so a large database keeps taking writes.
    /// Additive only: the original service never notices them.
    /// </summary>
    [DbContext(typeof(AppDbContext))]
    [Migration("20261126100300_ReadIndexes")]
    public partial class ReadIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            foreach (var (name, definition) in new[] { ("ix_votes_post_id", "votes (post_id)"), ("ix_posts_owner_id", "posts (owner_id)") })
                ConcurrentIndexes.Create(migrationBuilder, name, definition);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP INDEX IF EXISTS ix_posts_owner_id;");
            migrationBuilder.Sql("DROP INDEX IF EXISTS ix_votes_post_id;");
        }
    }
}
