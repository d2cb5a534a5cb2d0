using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Social.Api.Data.Migrations
{
    /// <summary>
    /// posts.vote_count, kept equal to the rows in votes by triggers, so a page of posts reads its
    /// counts instead of counting up to millions of votes. Additive and invisible to the original:
    /// its inserts get the default, its vote writes fire the same triggers, its queries name
    /// their columns. The column is added, the triggers created and the counts filled in one
    /// transaction, whose lock on posts holds back concurrent vote writes until the counts are right.
    /// </summary>
    public partial class VoteCounts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "vote_count",
                table: "posts",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.Sql("""
                CREATE FUNCTION social_count_votes() RETURNS trigger LANGUAGE plpgsql AS $$
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

                CREATE TRIGGER social_count_votes AFTER INSERT OR DELETE OR UPDATE OF post_id ON votes
                    FOR EACH ROW EXECUTE FUNCTION social_count_votes();
                CREATE TRIGGER social_count_votes_truncate AFTER TRUNCATE ON votes
                    FOR EACH STATEMENT EXECUTE FUNCTION social_count_votes();

                UPDATE posts p SET vote_count = c.n
                FROM (SELECT post_id, count(*) AS n FROM votes GROUP BY post_id) c
                WHERE c.post_id = p.id;
                """);
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
