using System.Net;
using System.Text.RegularExpressions;
using System.Web;
using Npgsql;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.ApiClient;

namespace Social.Api.Tests.Posts;

/// <summary>Reading sorted, linked pages of posts, and writing posts and votes straight into the database where the API cannot (old posts, many voters).</summary>
static partial class Feeds
{
    /// <summary>The ids of a page and the URI its <c>Link: &lt;…&gt;; rel="next"</c> names, if any.</summary>
    public static async Task<(int[] Ids, string? Next)> PageAsync(HttpClient client, string uri)
    {
        var response = await client.GetAsync(uri);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (ListTests.Ids((await response.JsonAsync()).AsArray()), NextLink(response));
    }

    public static string? NextLink(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var values))
            return null;
        var match = LinkNext().Match(Assert.Single(values));
        Assert.True(match.Success, $"Link header: {string.Join(", ", values)}");
        return match.Groups["uri"].Value;
    }

    public static string CursorOf(string link) => HttpUtility.ParseQueryString(new Uri(new Uri("http://x"), link).Query)["cursor"]!;

    /// <summary>Every page from <paramref name="uri"/> on, following the links; <paramref name="between"/> runs after each page.</summary>
    public static async Task<List<int>> AllPagesAsync(HttpClient client, string uri, Func<Task>? between = null)
    {
        var ids = new List<int>();
        for (string? next = uri; next is not null;)
        {
            var (page, link) = await PageAsync(client, next);
            ids.AddRange(page);
            next = link;
            if (between is not null)
                await between();
        }
        return ids;
    }

    /// <summary><paramref name="count"/> new users, straight into the table: voters that need no login.</summary>
    public static async Task<int[]> VotersAsync(NpgsqlConnection db, int count)
    {
        var rows = await Sql.RowsAsync(db, $"INSERT INTO users (email, password) SELECT '{UniqueText("voter")}-' || g || '@example.com', 'x' FROM generate_series(1, {count}) g RETURNING id");
        return [.. rows.Select(r => int.Parse(r, System.Globalization.CultureInfo.InvariantCulture))];
    }

    /// <summary>A post created <paramref name="age"/> ago (as the original, or a restore, could have written it) with <paramref name="votes"/> of the voters' votes.</summary>
    public static async Task<int> InsertPostAsync(NpgsqlConnection db, int ownerId, string title, TimeSpan age, int votes = 0, int[]? voters = null, bool published = true)
    {
        await using var insert = new NpgsqlCommand("INSERT INTO posts (title, content, owner_id, published, created_at) VALUES ($1, 'c', $2, $3, now() - $4) RETURNING id", db)
        {
            Parameters = { new() { Value = title }, new() { Value = ownerId }, new() { Value = published }, new() { Value = age } },
        };
        var id = (int)(await insert.ExecuteScalarAsync())!;
        foreach (var voter in (voters ?? []).Take(votes))
            await Sql.ExecuteAsync(db, "INSERT INTO votes (user_id, post_id) VALUES ($1, $2)", voter, id);
        return id;
    }

    [GeneratedRegex("""^<(?<uri>/[^>]*)>; rel="next"$""")]
    private static partial Regex LinkNext();
}
