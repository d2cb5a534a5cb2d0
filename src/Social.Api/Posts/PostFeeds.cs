using Microsoft.AspNetCore.Http.Extensions;
using Social.Api.Auth;
using Social.Api.Data;
using Social.Api.Infrastructure;

namespace Social.Api.Posts;

/// <summary>
/// Serves a page of a list of posts (all posts, or one user's) in the order asked for, and links
/// the next page (RFC 8288 <c>Link: &lt;…&gt;; rel="next"</c>) whenever there is one: the same request
/// with <c>skip</c> dropped and the <c>cursor</c> of the page's last item.
/// </summary>
public sealed class PostFeeds(Reads reads, FeedCursors cursors, Settings settings)
{
    /// <summary>With PRIVATE_DRAFTS the caller, who alone sees their unpublished posts; otherwise nobody is singled out.</summary>
    public int? Viewer(Caller caller) => settings.Posts.PrivateDrafts ? caller.Id : null;

    /// <summary>The page's items (its Link header set), or the 422 of a cursor that does not fit the list.</summary>
    public async Task<(List<PostWithVotes> Items, JsonHttpResult<ValidationErrorResponse>? Refused)> ListAsync(
        PostListQuery query, int? ownerId, Caller caller, HttpContext http, CancellationToken cancellationToken)
    {
        var list = new FeedList(query.Sort, query.Window, query.Search, ownerId);
        FeedKeys? after = null;
        if (query.Cursor is { } cursor)
        {
            after = cursors.Decode(list, cursor, out var refused);
            if (refused is not null)
                return ([], Problems.Unprocessable([refused]));
        }

        var page = new FeedPage(list, query.Skip, query.Limit, after, Viewer(caller));
        var (items, next) = await reads.RunAsync((database, cancellationToken) => FeedSql.ReadAsync(database, page, cancellationToken), cancellationToken);
        if (next is { } keys)
            http.Response.Headers.Link = NextLink(http.Request, cursors.Encode(list, keys));
        return (items, null);
    }

    // Relative, so it is right behind any proxy; every other parameter kept as sent (the last of a
    // repeated one still wins).
    static string NextLink(HttpRequest request, string cursor)
    {
        var query = new QueryBuilder(request.Query
            .Where(p => !p.Key.Equals("cursor", StringComparison.OrdinalIgnoreCase) && !p.Key.Equals("skip", StringComparison.OrdinalIgnoreCase))
            .SelectMany(p => p.Value.Select(v => KeyValuePair.Create(p.Key, v ?? ""))))
        {
            { "cursor", cursor },
        };
        return $"<{request.PathBase.ToUriComponent()}{request.Path.ToUriComponent()}{query}>; rel=\"next\"";
    }
}

public static class PostFeedsSetup
{
    public static IServiceCollection AddPostFeeds(this IServiceCollection services) =>
        services.AddSingleton<FeedCursors>().AddSingleton<PostFeeds>();
}
