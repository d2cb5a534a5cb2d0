using Social.Api.ApiDocs;
using Social.Api.Auth;
using Social.Api.Infrastructure;
using Social.Api.Infrastructure.Validation;

namespace Social.Api.Posts;

/// <summary>
/// <c>GET /users/{id}/posts</c>: one user's posts, as <c>GET /posts/</c> lists all of them (same
/// sorts, search, paging and items). Posts need a token, so this list does too, although the
/// profile beside it is public.
/// </summary>
public static class UserPostEndpoints
{
    public static RouteHandlerBuilder MapUserPosts(this IEndpointRouteBuilder app) =>
        app.MapGet("/users/{id}/posts", ListUserPosts)
            .WithTags("Posts")
            .RequireAuthorization()
            .ProducesErrors(401, 404, 422, 503)
            .AddEndpointFilter<ValidationFilter>()
            .WithSummary("List a user's posts")
            .WithDescription("The posts `id` owns, with their vote counts, in the orders of `GET /posts/` and with the same parameters. 404 if there is no such user. " + PostFeedDocs.Paging)
            .WithExamples(response: Examples.Page);

    static async Task<Results<Ok<List<PostWithVotes>>, JsonHttpResult<ValidationErrorResponse>, NotFound<ErrorResponse>>> ListUserPosts(
        RouteId id, PostListQuery query, Caller caller, KnownUsers users, PostFeeds feeds, HttpContext http, CancellationToken cancellationToken)
    {
        if (await users.FindAsync(id.Value, cancellationToken) is null)
            return TypedResults.NotFound(new ErrorResponse($"User with id: {id} does not exist"));
        var (items, refused) = await feeds.ListAsync(query, id.Value, caller, http, cancellationToken);
        return refused is null ? TypedResults.Ok(items) : refused;
    }
}

/// <summary>What the list operations' descriptions say about paging.</summary>
static class PostFeedDocs
{
    public const string Paging = "When there may be a next page the answer has `Link: <…>; rel=\"next\"`: this request with `skip` dropped and a `cursor` that continues after the last item (keys, not offsets, so posts inserted meanwhile cause no duplicate or gap). A cursor only fits the list it came from (same sort, `t`, `search` and user): another, altered or garbled one is a 422, and so is a cursor with `skip`. In `top` and `hot` the next page continues below the last item's keys as they were when it was served, so a post whose count changed meanwhile may be skipped or seen twice.";
}
