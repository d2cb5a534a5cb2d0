using Npgsql;
using Social.Api.Data;
using Social.Api.Users;

namespace Social.Api.Posts;

/// <summary>
/// The statements behind the post endpoints, sent straight through Npgsql on the pool EF Core
/// uses; docs/benchmarks.md has the A/B against EF Core's LINQ for the same endpoints. Every read
/// selects <see cref="Columns"/> and maps them with <see cref="Read"/>: the owner comes in the same
/// query, and the vote count from post_vote_counts, kept by a trigger on votes, so no read counts votes.
/// </summary>
public static class PostSql
{
    const string Columns = """
        SELECT p.title, p.content, p.published, p.id, p.created_at, p.owner_id, u.email, u.created_at, coalesce(c.votes, 0)
        FROM posts AS p JOIN users AS u ON u.id = p.owner_id LEFT JOIN post_vote_counts AS c ON c.post_id = p.id
        """;

    /// <summary>Searches, and pages past this offset, pick their ids first.</summary>
    const int DeepPage = 1_000;

    /// <summary>The post with its owner and vote count.</summary>
    public static PostWithVotes Read(NpgsqlDataReader row) => new(
        new PostResponse(row.GetString(0), row.GetString(1), row.GetBoolean(2), row.GetInt32(3), row.GetDateTime(4), row.GetInt32(5),
            new UserResponse(row.GetInt32(5), row.GetString(6), row.GetDateTime(7))),
        row.GetInt32(8));

    public static NpgsqlCommand ById(NpgsqlDataSource database, int id) =>
        database.Command($"{Columns} WHERE p.id = $1", id);

    /// <summary>
    /// A page ordered by id, so paging with <c>skip</c> is stable; the search is a literal substring
    /// of the title. Searches and deep pages pick their ids first, from an index-only scan of
    /// ix_posts_id_title over the rows they pass by, and read only those posts. The search is a
    /// <c>strpos</c>, not a <c>LIKE '%…%'</c>: PostgreSQL guesses such a pattern matches almost
    /// nothing and answers it with a parallel scan and sort of the whole table. The page size is a
    /// literal (a validated integer capped at MAX_PAGE_SIZE): prepared, <c>LIMIT $1</c> gets a
    /// generic plan costed for a tenth of the table. The offset stays a parameter, left out on
    /// first pages for the same reason, so clients cannot mint a statement per page.
    /// </summary>
    public static NpgsqlCommand Page(NpgsqlDataSource database, string search, int skip, int limit)
    {
        List<object> values = [];
        string Parameter(object value)
        {
            values.Add(value);
            return $"${values.Count}";
        }

        var filter = search.Length > 0 ? $" WHERE strpos(title, {Parameter(search)}) > 0" : "";
        var page = $"LIMIT {limit}" + (skip > 0 ? $" OFFSET {Parameter(skip)}" : "");
        var sql = search.Length == 0 && skip < DeepPage
            ? $"{Columns} ORDER BY p.id {page}"
            : $"{Columns} WHERE p.id IN (SELECT id FROM posts{filter} ORDER BY id {page}) ORDER BY p.id";
        return database.Command(sql, [.. values]);
    }

    public static async Task<bool> ExistsAsync(NpgsqlDataSource database, int id, CancellationToken cancellationToken)
    {
        await using var exists = database.Command("SELECT EXISTS (SELECT 1 FROM posts WHERE id = $1)", id);
        return (bool)(await exists.ExecuteScalarAsync(cancellationToken))!;
    }

    public static async Task<List<PostWithVotes>> ReadAllAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using (command)
        {
            await using var row = await command.ExecuteReaderAsync(cancellationToken);
            var posts = new List<PostWithVotes>();
            while (await row.ReadAsync(cancellationToken))
                posts.Add(Read(row));
            return posts;
        }
    }
}
