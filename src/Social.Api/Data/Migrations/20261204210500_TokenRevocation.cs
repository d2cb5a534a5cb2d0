using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Social.Api.Data.Migrations
{
    /// <summary>
    /// Token revocation, additive and invisible to the original: <c>users.tokens_valid_after</c>
    /// (nullable, so the original's INSERTs work unchanged; a password change sets it and the
    /// existing users trigger announces it), and the table <c>revoked_tokens</c> of logged-out
    /// tokens (SHA-256 of the token, its expiry), whose insert trigger announces each digest on
    /// <c>social_tokens_revoked</c> so every instance holds them in memory.
    /// </summary>
    public partial class TokenRevocation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "tokens_valid_after",
                table: "users",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.Sql("""
                CREATE TABLE revoked_tokens (
                    digest bytea PRIMARY KEY CHECK (length(digest) = 32),
                    expires_at timestamp with time zone NOT NULL
                );
                CREATE INDEX ix_revoked_tokens_expires_at ON revoked_tokens (expires_at);

                CREATE FUNCTION social_notify_token_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('social_tokens_revoked',
                        encode(NEW.digest, 'hex') || ' ' || floor(extract(epoch FROM NEW.expires_at))::bigint);
                    RETURN NULL;
                END $$;

                CREATE TRIGGER social_notify_token_revoked AFTER INSERT ON revoked_tokens
                    FOR EACH ROW EXECUTE FUNCTION social_notify_token_revoked();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TABLE IF EXISTS revoked_tokens;
                DROP FUNCTION IF EXISTS social_notify_token_revoked();
                """);

            migrationBuilder.DropColumn(
                name: "tokens_valid_after",
                table: "users");
        }
    }
}
