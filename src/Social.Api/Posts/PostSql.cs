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
    /// <summary>What <see cref="Read"/> maps; <c>c</c> is the post's row in post_vote_counts.</summary>
    internal const string SelectList = "SELECT p.title, p.content, p.published, p.id, p.created_at, p.owner_id, u.email, u.created_at, coalesce(c.votes, 0)";

    internal const string Columns = SelectList + """

        FROM posts AS p JOIN users AS u ON u.id = p.owner_id LEFT JOIN post_vote_counts AS c ON c.post_id = p.id
        """;

    /// <summary>With PRIVATE_DRAFTS, the condition that hides other users' unpublished posts from the viewer.</summary>
    internal static string VisibleTo(string viewer, string alias = "") => $"({alias}published OR {alias}owner_id = {viewer})";

    /// <summary>The post with its owner and vote count.</summary>
    public static PostWithVotes Read(NpgsqlDataReader row) => new(
        new PostResponse(row.GetString(0), row.GetString(1), row.GetBoolean(2), row.GetInt32(3), row.GetDateTime(4), row.GetInt32(5),
            new UserResponse(row.GetInt32(5), row.GetString(6), row.GetDateTime(7))),
        row.GetInt32(8));

    /// <summary>The post, unless <paramref name="viewer"/> (set with PRIVATE_DRAFTS) may not see it.</summary>
    public static NpgsqlCommand ById(NpgsqlDataSource database, int id, int? viewer) => viewer is { } caller
        ? database.Command($"{Columns} WHERE p.id = $1 AND {VisibleTo("$2", "p.")}", id, caller)
        : database.Command($"{Columns} WHERE p.id = $1", id);

    /// <summary>Whether the post exists, for <paramref name="viewer"/> when set (PRIVATE_DRAFTS): another user's draft does not.</summary>
    public static async Task<bool> ExistsAsync(NpgsqlDataSource database, int id, int? viewer, CancellationToken cancellationToken)
    {
        await using var exists = viewer is { } caller
            ? database.Command($"SELECT EXISTS (SELECT 1 FROM posts WHERE id = $1 AND {VisibleTo("$2")})", id, caller)
            : database.Command("SELECT EXISTS (SELECT 1 FROM posts WHERE id = $1)", id);
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
