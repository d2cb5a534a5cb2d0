using Npgsql;
using Social.Api.Data;

namespace Social.Api.Posts;

/// <summary>One page of a list: which list, where it starts (skip, or the keys after a cursor), how many.</summary>
/// <param name="Viewer">With PRIVATE_DRAFTS, the caller, who alone sees their unpublished posts.</param>
public sealed record FeedPage(FeedList List, int Skip, int Limit, FeedKeys? After, int? Viewer);

/// <summary>
/// The SQL of a page of posts. Every page asks for one item more than it serves, to know whether a
/// next page exists. The page size (validated, capped) is a literal because a prepared
/// <c>LIMIT $1</c> is planned for a tenth of the table.
/// </summary>
public static class FeedSql
{
    /// <summary>Searches, and pages past this offset, pick their ids first.</summary>
    const int DeepPage = 1_000;

    public static NpgsqlCommand Page(NpgsqlDataSource database, FeedPage page)
    {
        List<object> values = [];
        string Parameter(object value)
        {
            values.Add(value);
            return $"${values.Count}";
        }

        var list = page.List;
        var sorted = list.Sort != FeedSort.Id;
        List<string> onPosts = [], onRanks = [];
        if (list.OwnerId is { } owner)
            onPosts.Add($"p.owner_id = {Parameter(owner)}");
        if (list.Search.Length > 0)
            onPosts.Add($"strpos(p.title, {Parameter(list.Search)}) > 0");
        if (page.Viewer is { } viewer)
            onPosts.Add(PostSql.VisibleTo(Parameter(viewer), "p."));
        var windowed = list.Sort == FeedSort.Top && list.Window != TopWindow.All;
        if (windowed)
            onRanks.Add($"c.created_at >= now() - interval '{FeedOrder.Interval(list.Window)}'");
        if (page.After is { } after && sorted)
            onRanks.Add($"(c.{KeyColumn(list.Sort)}, c.post_id) < ({Parameter(KeyValue(list.Sort, after.Key))}, {Parameter(after.Id)})");
        else if (page.After is { } afterId)
            onPosts.Add($"p.id > {Parameter(afterId.Id)}");

        var limit = $"LIMIT {page.Limit + 1}" + (page.Skip > 0 ? $" OFFSET {Parameter(page.Skip)}" : "");
        var key = sorted ? $"c.{KeyColumn(list.Sort)}" : "";
        const string Ranked = "FROM post_vote_counts AS c JOIN posts AS p ON p.id = c.post_id JOIN users AS u ON u.id = p.owner_id";
        string sql;
        if (windowed)
        {
            // A window's best come from its range of ix_post_vote_counts_new (index-only, votes included),
            // kept by a top-N sort: the votes index read from the top would first pass every older,
            // more voted post, a cost that grows with the history instead of the window.
            var posts = onPosts.Count > 0 ? " JOIN posts AS p ON p.id = c.post_id" : "";
            sql = $"""
                {PostSql.SelectList}, c.hot
                {Ranked} WHERE c.post_id IN (SELECT c.post_id FROM post_vote_counts AS c{posts}{Where([.. onPosts, .. onRanks])}
                    ORDER BY {key} + 0 DESC, c.post_id DESC {limit})
                ORDER BY {key} DESC, c.post_id DESC
                """;
        }
        else if (sorted)
        {
            // Driven by the ranks' index on the key, read backwards, so a page stops after its last item.
            // A user's posts come from ix_posts_owner_id instead, sorted: at most that user's posts.
            sql = $"""
                {PostSql.SelectList}, c.hot
                {Ranked}{Where([.. onPosts, .. onRanks])}
                ORDER BY {key} DESC, c.post_id DESC {limit}
                """;
        }
        else if (list.OwnerId is null && list.Search.Length == 0 && page.Skip < DeepPage && page.After is null)
            sql = $"{PostSql.Columns}{Where(onPosts)} ORDER BY p.id {limit}";
        else
        {
            // Searches, deep pages and pages after a cursor pick their ids from ix_posts_id_title alone
            // before reading rows (joined first, the vote counts would be read from the first post on).
            // strpos, not LIKE '%…%', whose selectivity PostgreSQL underestimates into a whole-table
            // scan and sort.
            sql = $"{PostSql.Columns} WHERE p.id IN (SELECT p.id FROM posts AS p{Where(onPosts)} ORDER BY p.id {limit}) ORDER BY p.id";
        }
        return database.Command(sql, [.. values]);
    }

    /// <summary>The page's items (at most its limit) and, when there is more, the keys its next page starts after.</summary>
    public static async Task<(List<PostWithVotes> Items, FeedKeys? Next)> ReadAsync(NpgsqlDataSource database, FeedPage page, CancellationToken cancellationToken)
    {
        await using var command = Page(database, page);
        await using var row = await command.ExecuteReaderAsync(cancellationToken);
        var items = new List<PostWithVotes>();
        FeedKeys? last = null;
        while (await row.ReadAsync(cancellationToken))
        {
            if (items.Count == page.Limit)
                return (items, last);
            var item = PostSql.Read(row);
            items.Add(item);
            last = new FeedKeys(page.List.Sort switch
            {
                FeedSort.New => item.Post.CreatedAt.Ticks,
                FeedSort.Top => item.Votes,
                FeedSort.Hot => BitConverter.DoubleToInt64Bits(row.GetDouble(9)),
                _ => 0,
            }, item.Post.Id);
        }
        return (items, null);
    }

    static string Where(List<string> conditions) => conditions.Count > 0 ? " WHERE " + string.Join(" AND ", conditions) : "";

    static string KeyColumn(FeedSort sort) => sort switch
    {
        FeedSort.New => "created_at",
        FeedSort.Top => "votes",
        FeedSort.Hot => "hot",
        _ => throw new ArgumentOutOfRangeException(nameof(sort), sort, "the id order has no key column"),
    };

    // The parameter's type is the column's, so the comparison can use the index.
    static object KeyValue(FeedSort sort, long key) => sort switch
    {
        FeedSort.New => new DateTime(key, DateTimeKind.Utc),
        FeedSort.Top => (int)Math.Clamp(key, int.MinValue, int.MaxValue),
        _ => BitConverter.Int64BitsToDouble(key),
    };
}
