using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Social.Api.Data.Migrations
{
    /// <summary>
    /// posts.vote_count, kept equal to the rows in votes by triggers, so a page of posts reads its
    /// counts instead of counting up to millions of votes. Additive and invisible to the original:
    /// its inserts get the default, its vote writes fire the same triggers, its queries name
    /// their columns. Run outside a long transaction so a large database stays writable: the
    /// column (instant: a constant default) and the triggers first, then one recount while vote
    /// writes alone wait (SHARE lock on votes), so no vote lands between counting and storing.
    /// Every step can run again after an interruption.
    /// </summary>
    public partial class VoteCounts : Migration
    {
        /// <summary>The trigger function of this migration, which counts into posts.vote_count (VoteCountTable's Down restores it).</summary>
        internal const string CountingFunction = """
            CREATE OR REPLACE FUNCTION social_count_votes() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'TRUNCATE' THEN
                    UPDATE posts SET vote_count = 0 WHERE vote_count <> 0;
                    RETURN NULL;
                END IF;
                IF TG_OP IN ('DELETE', 'UPDATE') THEN
                    UPDATE posts SET vote_count = vote_count - 1 WHERE id = OLD.post_id;
                END IF;
                IF TG_OP IN ('INSERT', 'UPDATE') THEN
                    UPDATE posts SET vote_count = vote_count + 1 WHERE id = NEW.post_id;
                END IF;
                RETURN NULL;
            END $$;

            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER TABLE posts ADD COLUMN IF NOT EXISTS vote_count integer NOT NULL DEFAULT 0;", suppressTransaction: true);

            migrationBuilder.Sql(CountingFunction + """
                DROP TRIGGER IF EXISTS social_count_votes ON votes;
                CREATE TRIGGER social_count_votes AFTER INSERT OR DELETE OR UPDATE OF post_id ON votes
                    FOR EACH ROW EXECUTE FUNCTION social_count_votes();
                DROP TRIGGER IF EXISTS social_count_votes_truncate ON votes;
                CREATE TRIGGER social_count_votes_truncate AFTER TRUNCATE ON votes
                    FOR EACH STATEMENT EXECUTE FUNCTION social_count_votes();
                """, suppressTransaction: true);

            migrationBuilder.Sql("""
                BEGIN;
                LOCK TABLE votes IN SHARE MODE;
                UPDATE posts p SET vote_count = coalesce(c.n, 0)
                FROM posts q LEFT JOIN (SELECT post_id, count(*) AS n FROM votes GROUP BY post_id) c ON c.post_id = q.id
                WHERE p.id = q.id AND p.vote_count IS DISTINCT FROM coalesce(c.n, 0);
                COMMIT;
                """, suppressTransaction: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER IF EXISTS social_count_votes_truncate ON votes;
                DROP TRIGGER IF EXISTS social_count_votes ON votes;
                DROP FUNCTION IF EXISTS social_count_votes();
                """);
            migrationBuilder.DropColumn(
                name: "vote_count",
                table: "posts");
        }
    }
}
