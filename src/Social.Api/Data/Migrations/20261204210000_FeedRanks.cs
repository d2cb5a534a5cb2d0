using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Social.Api.Data.Migrations
{
    /// <summary>
    /// The keys of the sorted feeds (new, top, hot) beside each post's vote count, indexed, so a
    /// sorted page reads an index from its first key instead of ranking every post per request:
    /// every post gets a post_vote_counts row (0 votes included), made by a trigger on posts
    /// inserts, with a copy of its created_at and a stored hot rank that PostgreSQL derives from the
    /// two. A vote still rewrites only that row, never posts. One transaction, with post inserts and
    /// votes held back, so nothing lands between the backfill and the triggers. Invisible to the
    /// original: its writes fire the triggers, its reads never name these columns.
    /// </summary>
    [DbContext(typeof(AppDbContext))]
    [Migration("20261204210000_FeedRanks")]
    public partial class FeedRanks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                LOCK TABLE posts IN SHARE ROW EXCLUSIVE MODE;
                LOCK TABLE votes IN SHARE MODE;

                -- Reddit's time-independent hot rank: ten times the votes weigh as much as 12.5 hours
                -- of age. It changes only when the count does, so no job has to refresh it. The epoch
                -- of an instant does not depend on the time zone, hence IMMUTABLE (what a stored
                -- generated column needs), although extract() on timestamptz is only STABLE.
                CREATE FUNCTION social_hot(votes integer, created_at timestamp with time zone) RETURNS double precision
                    LANGUAGE sql IMMUTABLE PARALLEL SAFE
                    AS $$ SELECT log(greatest(votes, 1)::double precision) + (extract(epoch FROM created_at)::double precision - 1134028003) / 45000 $$;

                ALTER TABLE post_vote_counts ADD COLUMN created_at timestamp with time zone;
                UPDATE post_vote_counts c SET created_at = p.created_at FROM posts p WHERE p.id = c.post_id;
                INSERT INTO post_vote_counts (post_id, votes, created_at) SELECT id, 0, created_at FROM posts
                ON CONFLICT (post_id) DO NOTHING;
                ALTER TABLE post_vote_counts ALTER COLUMN created_at SET NOT NULL;
                ALTER TABLE post_vote_counts ADD COLUMN hot double precision GENERATED ALWAYS AS (social_hot(votes, created_at)) STORED;

                -- Scanned backwards: newest, most voted and hottest first, ties by the higher id. The
                -- votes in the first one let the top of a time window come from it alone.
                CREATE INDEX ix_post_vote_counts_new ON post_vote_counts (created_at, post_id) INCLUDE (votes);
                CREATE INDEX ix_post_vote_counts_top ON post_vote_counts (votes, post_id);
                CREATE INDEX ix_post_vote_counts_hot ON post_vote_counts (hot, post_id);

                CREATE FUNCTION social_rank_post() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'INSERT' THEN
                        INSERT INTO post_vote_counts (post_id, votes, created_at) VALUES (NEW.id, 0, NEW.created_at);
                    ELSE
                        UPDATE post_vote_counts SET created_at = NEW.created_at WHERE post_id = NEW.id;
                    END IF;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER social_rank_post AFTER INSERT ON posts
                    FOR EACH ROW EXECUTE FUNCTION social_rank_post();
                CREATE TRIGGER social_rank_post_created_at AFTER UPDATE OF created_at ON posts
                    FOR EACH ROW WHEN (OLD.created_at IS DISTINCT FROM NEW.created_at) EXECUTE FUNCTION social_rank_post();

                -- Every post has its row now: a vote updates it, a TRUNCATE of votes zeroes it.
                CREATE OR REPLACE FUNCTION social_count_votes() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'TRUNCATE' THEN
                        UPDATE post_vote_counts SET votes = 0 WHERE votes <> 0;
                        RETURN NULL;
                    END IF;
                    IF TG_OP IN ('DELETE', 'UPDATE') THEN
                        UPDATE post_vote_counts SET votes = votes - 1 WHERE post_id = OLD.post_id;
                    END IF;
                    IF TG_OP IN ('INSERT', 'UPDATE') THEN
                        UPDATE post_vote_counts SET votes = votes + 1 WHERE post_id = NEW.post_id;
                    END IF;
                    RETURN NULL;
                END $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                LOCK TABLE posts IN SHARE ROW EXCLUSIVE MODE;
                LOCK TABLE votes IN SHARE MODE;
                DROP TRIGGER social_rank_post_created_at ON posts;
                DROP TRIGGER social_rank_post ON posts;
                DROP FUNCTION social_rank_post();
                DROP INDEX ix_post_vote_counts_top;
                ALTER TABLE post_vote_counts DROP COLUMN hot, DROP COLUMN created_at;
                DROP FUNCTION social_hot(integer, timestamp with time zone);
                DELETE FROM post_vote_counts WHERE votes = 0;
                """ + VoteCountTable.CountingFunction);
        }
    }
}
