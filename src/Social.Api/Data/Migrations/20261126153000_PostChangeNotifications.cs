using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Social.Api.Data.Migrations
{
    /// <summary>
    /// Announces on <c>social_posts_changed</c> every statement that changes posts (votes change
    /// them too, through the vote-count trigger) or users (a page shows its owners' profiles), so
    /// every instance stops serving cached pages that a write made elsewhere has outdated. This
    /// service's own sessions (application_name <c>social-api…</c>) are skipped: the instances
    /// announce their writes themselves, batched, because a NOTIFY in each write transaction
    /// serializes the commits. Triggers of our own, which the original never notices.
    /// </summary>
    [DbContext(typeof(AppDbContext))]
    [Migration("20261126153000_PostChangeNotifications")]
    public partial class PostChangeNotifications : Migration
    {
        /// <summary>Also what <see cref="UserChangeNotifications"/> restores when rolled back.</summary>
        internal const string Triggers = """
                CREATE OR REPLACE FUNCTION social_notify_posts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('social_posts_changed', '');
                    RETURN NULL;
                END $$;

                -- The condition, not the function, skips the service's sessions: no function call
                -- at all on their writes (every vote updates posts through its counting trigger).
                DROP TRIGGER IF EXISTS social_notify_posts_changed ON posts;
                CREATE TRIGGER social_notify_posts_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON posts
                    FOR EACH STATEMENT WHEN (current_setting('application_name') NOT LIKE 'social-api%')
                    EXECUTE FUNCTION social_notify_posts_changed();
                DROP TRIGGER IF EXISTS social_notify_users_changed ON users;
                CREATE TRIGGER social_notify_users_changed AFTER UPDATE ON users
                    FOR EACH STATEMENT WHEN (current_setting('application_name') NOT LIKE 'social-api%')
                    EXECUTE FUNCTION social_notify_posts_changed();
                """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(Triggers);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER IF EXISTS social_notify_users_changed ON users;
                DROP TRIGGER IF EXISTS social_notify_posts_changed ON posts;
                DROP FUNCTION IF EXISTS social_notify_posts_changed();
                """);
        }
    }
}
