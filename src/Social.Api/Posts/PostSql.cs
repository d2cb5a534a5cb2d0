using Npgsql;
using Social.Api.Data;
using Social.Api.Users;

namespace Social.Api.Posts;

/// <summary>
/// The reads behind the post endpoints, sent straight through Npgsql on the pool EF Core uses (EF's
/// per-query cost is the difference, see docs/benchmarks.md). Every read selects the owner in the
/// same query and the stored vote count, and maps a row with <see cref="Read"/>.
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
    /// A page in id order, so <c>skip</c> is stable. Searches and deep pages pick their ids from
    /// ix_posts_id_title alone before reading rows. <c>strpos</c>, not <c>LIKE '%…%'</c>, whose
    /// selectivity PostgreSQL underestimates into a whole-table scan and sort. The page size (validated,
    /// capped) is a literal because a prepared <c>LIMIT $1</c> is planned for a tenth of the table.
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
