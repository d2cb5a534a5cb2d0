-- The best shape for a page of posts with their counts (../shared/perf a_denorm): the count read
-- from posts.vote_count, owners joined, no counting. The yardstick the service's own list SQL is held to.
SELECT p.id, p.title, p.content, p.published, p.created_at, p.owner_id,
       u.id, u.email, u.created_at, p.vote_count AS votes
FROM posts p JOIN users u ON u.id = p.owner_id
LIMIT 10 OFFSET 0;
