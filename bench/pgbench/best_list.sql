-- The best shape for a page of posts with their counts (../shared/perf a_denorm): the count read
-- from a stored counter (post_vote_counts), owners joined, no counting. The yardstick the
-- service's own list SQL is held to.
SELECT p.id, p.title, p.content, p.published, p.created_at, p.owner_id,
       u.id, u.email, u.created_at, coalesce(c.votes, 0) AS votes
FROM posts p JOIN users u ON u.id = p.owner_id LEFT JOIN post_vote_counts c ON c.post_id = p.id
LIMIT 10 OFFSET 0;
