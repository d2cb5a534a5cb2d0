using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Social.Api.Data.Migrations
{
    /// <summary>
    /// Vote counts move from posts.vote_count to post_vote_counts (no row: 0), kept by the same
    /// trigger, so a vote no longer rewrites a posts row and clears the all-visible bit that the
    /// index-only scans of searches and deep pages rely on. One transaction with votes locked, so
    /// no vote lands between counting and storing. The original never read vote_count.
    /// </summary>
    public partial class VoteCountTable : Migration
    {
        /// <summary>The trigger function of this migration, which counts into post_vote_counts (FeedRanks' Down restores it).</summary>
        internal const string CountingFunction = """
            CREATE OR REPLACE FUNCTION social_count_votes() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'TRUNCATE' THEN
                    DELETE FROM post_vote_counts;
                    RETURN NULL;
                END IF;
                IF TG_OP IN ('DELETE', 'UPDATE') THEN
                    UPDATE post_vote_counts SET votes = votes - 1 WHERE post_id = OLD.post_id;
                END IF;
                IF TG_OP IN ('INSERT', 'UPDATE') THEN
                    INSERT INTO post_vote_counts AS c (post_id, votes) VALUES (NEW.post_id, 1)
                    ON CONFLICT (post_id) DO UPDATE SET votes = c.votes + 1;
                END IF;
                RETURN NULL;
            END $$;
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                LOCK TABLE votes IN SHARE MODE;

                CREATE TABLE post_vote_counts (
                    post_id integer PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
                    votes integer NOT NULL
                );
                INSERT INTO post_vote_counts (post_id, votes) SELECT post_id, count(*) FROM votes GROUP BY post_id;

                """ + CountingFunction + """

                ALTER TABLE posts DROP COLUMN vote_count;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                LOCK TABLE votes IN SHARE MODE;
                ALTER TABLE posts ADD COLUMN vote_count integer NOT NULL DEFAULT 0;
                UPDATE posts p SET vote_count = c.votes FROM post_vote_counts c WHERE c.post_id = p.id;
                DROP TABLE post_vote_counts;
                """ + VoteCounts.CountingFunction);
        }
    }
}
