-- The standard data set: :users users (+100 spare "bench" users with no posts or votes, for the
-- vote benchmark), :posts posts (1 % of titles contain the word 'needle'), :votes distinct votes
-- skewed towards low post ids (the most-voted posts are on the default page: the worst case for
-- counting at read time). Every user's password is the given bcrypt hash.
-- psql -v users=10000 -v posts=100000 -v votes=1000000 -v pwhash='$2b$12$...' -f seed.sql
SELECT setseed(0.42);
INSERT INTO users (email, password)
SELECT 'user' || g || '@example.com', :'pwhash' FROM generate_series(1, :users + 100) g;
INSERT INTO posts (title, content, published, owner_id, created_at)
SELECT 'title ' || g || ' ' || (ARRAY['alpha','beta','gamma','delta','epsilon','zeta','eta','theta','iota','kappa'])[1 + g % 10]
         || CASE WHEN g % 100 = 0 THEN ' needle' ELSE '' END,
       'post body ' || g || ' ' || repeat('lorem ipsum dolor sit amet ', 6),
       true,
       1 + ((g::bigint * 7919) % :users),
       now() - make_interval(secs => (:posts - g) * 60)
FROM generate_series(1, :posts) g;
-- Bulk load without the per-row counter trigger, then count once (what the migration does too).
ALTER TABLE votes DISABLE TRIGGER USER;
INSERT INTO votes (user_id, post_id)
SELECT u, p FROM (
    SELECT DISTINCT (1 + floor(random() * :users))::int AS u,
                    (1 + floor(power(random(), 2) * :posts))::int AS p
    FROM generate_series(1, (:votes * 1.2)::int)
) s LIMIT :votes;
ALTER TABLE votes ENABLE TRIGGER USER;
-- Builds before the VoteCountTable migration (bench/ab may seed with one) count in posts.vote_count;
-- since FeedRanks every post already has its row (made by the posts trigger), to be counted into.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'post_vote_counts' AND column_name = 'hot') THEN
        UPDATE post_vote_counts c SET votes = n.n FROM (SELECT post_id, count(*) AS n FROM votes GROUP BY post_id) n WHERE n.post_id = c.post_id;
    ELSIF to_regclass('post_vote_counts') IS NOT NULL THEN
        INSERT INTO post_vote_counts (post_id, votes) SELECT post_id, count(*) FROM votes GROUP BY post_id;
    ELSE
        UPDATE posts p SET vote_count = c.n FROM (SELECT post_id, count(*) AS n FROM votes GROUP BY post_id) c WHERE c.post_id = p.id;
    END IF;
END $$;
VACUUM ANALYZE;
SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM posts) AS posts, (SELECT count(*) FROM votes) AS votes,
       (SELECT max(n) FROM (SELECT count(*) AS n FROM votes GROUP BY post_id) c) AS most_votes;
