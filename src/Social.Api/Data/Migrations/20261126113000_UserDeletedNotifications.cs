using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Social.Api.Data.Migrations
{
    /// <summary>
    /// Announces deleted users on the channel <c>social_users_deleted</c> (payload: the id, or
    /// <c>*</c> after a TRUNCATE), so every instance drops them from its cache of known users at
    /// once. A trigger of our own on the original's table; the original never notices it.
    /// </summary>
    [DbContext(typeof(AppDbContext))]
    [Migration("20261126113000_UserDeletedNotifications")]
    public partial class UserDeletedNotifications : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE FUNCTION social_notify_user_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('social_users_deleted', CASE WHEN TG_OP = 'TRUNCATE' THEN '*' ELSE OLD.id::text END);
                    RETURN NULL;
                END $$;

                CREATE TRIGGER social_notify_user_deleted AFTER DELETE ON users
                    FOR EACH ROW EXECUTE FUNCTION social_notify_user_deleted();
                CREATE TRIGGER social_notify_users_truncated AFTER TRUNCATE ON users
                    FOR EACH STATEMENT EXECUTE FUNCTION social_notify_user_deleted();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER IF EXISTS social_notify_users_truncated ON users;
                DROP TRIGGER IF EXISTS social_notify_user_deleted ON users;
                DROP FUNCTION IF EXISTS social_notify_user_deleted();
                """);
        }
    }
}
