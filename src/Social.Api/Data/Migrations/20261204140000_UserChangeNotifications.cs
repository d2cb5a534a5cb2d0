using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Social.Api.Data.Migrations
{
    /// <summary>
    /// Announces updated users on <c>social_users_changed</c> (payload: the id), whoever wrote them,
    /// so every instance drops them from its cache of known users, as deletions already are on
    /// <c>social_users_deleted</c>. The announcements of changed posts go: nothing caches posts
    /// any more, and their condition on the session's application_name goes with them.
    /// </summary>
    [DbContext(typeof(AppDbContext))]
    [Migration("20261204140000_UserChangeNotifications")]
    public partial class UserChangeNotifications : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER IF EXISTS social_notify_users_changed ON users;
                DROP TRIGGER IF EXISTS social_notify_posts_changed ON posts;
                DROP FUNCTION IF EXISTS social_notify_posts_changed();

                CREATE OR REPLACE FUNCTION social_notify_user_changed() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('social_users_changed', NEW.id::text);
                    RETURN NULL;
                END $$;

                CREATE TRIGGER social_notify_user_changed AFTER UPDATE ON users
                    FOR EACH ROW EXECUTE FUNCTION social_notify_user_changed();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER IF EXISTS social_notify_user_changed ON users;
                DROP FUNCTION IF EXISTS social_notify_user_changed();
                """);
            migrationBuilder.Sql(PostChangeNotifications.Triggers);
        }
    }
}
