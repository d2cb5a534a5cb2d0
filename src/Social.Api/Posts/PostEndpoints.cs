using Npgsql;
using Social.Api.ApiDocs;
using Social.Api.Auth;
using Social.Api.Data;
using Social.Api.Infrastructure;
using Social.Api.Infrastructure.Validation;
using Social.Api.Observability;

namespace Social.Api.Posts;

public static class PostEndpoints
{
    const string NotOwner = "Not authorized to perform requested action";

    public static RouteGroupBuilder MapPosts(this IEndpointRouteBuilder app)
    {
        var posts = app.MapGroup("/posts")
            .WithTags("Posts")
            .RequireAuthorization()
            .ProducesErrors(401, 422, 503)
            .AddEndpointFilter<ValidationFilter>();

        posts.MapGet("/", ListPosts)
            .WithSummary("List posts")
            .WithDescription("A page of posts with their vote counts: by id without `sort`, else newest (`new`), most voted (`top`, optionally within the window `t`) or hottest (`hot`) first. `search` keeps posts whose title contains the text (case-sensitive; `%`, `_` and `\\` match only themselves). " + PostFeedDocs.Paging)
            .WithExamples(response: Examples.Page);
        posts.MapPost("/", CreatePost)
            .ProducesErrors(400, 413)
            .WithSummary("Create a post")
            .WithDescription("The caller becomes the owner; `published` defaults to true. `id`, `owner_id` and `created_at` in the body are ignored.")
            .WithExamples(request: Examples.NewPost, response: Examples.Post);
        posts.MapGet("/{id}", GetPost)
            .WithSummary("Read a post")
            .WithDescription("Any authenticated user can read any post, published or not; with PRIVATE_DRAFTS, someone else's unpublished post is a 404, as a missing one.")
            .WithExamples(response: Examples.PostWithVotes);
        posts.MapPut("/{id}", UpdatePost)
            .Produces<ErrorResponse>(StatusCodes.Status403Forbidden)
            .ProducesErrors(400, 413)
            .WithSummary("Replace a post")
            .WithDescription("A full replacement by the owner: an omitted `published` becomes true again. 404 if there is no such post (or, with PRIVATE_DRAFTS, it is someone else's unpublished post), 403 if it is someone else's.")
            .WithExamples(request: Examples.NewPost, response: Examples.Post);
        posts.MapDelete("/{id}", DeletePost)
            .Produces<ErrorResponse>(StatusCodes.Status403Forbidden)
            .WithSummary("Delete a post")
            .WithDescription("By the owner; the post's votes go with it. 404 if there is no such post (or, with PRIVATE_DRAFTS, it is someone else's unpublished post), 403 if it is someone else's.");
        return posts;
    }

    static async Task<Results<Ok<List<PostWithVotes>>, JsonHttpResult<ValidationErrorResponse>>> ListPosts(
        PostListQuery query, Caller caller, PostFeeds feeds, HttpContext http, CancellationToken cancellationToken)
    {
        var (items, refused) = await feeds.ListAsync(query, ownerId: null, caller, http, cancellationToken);
        return refused is null ? TypedResults.Ok(items) : refused;
    }

    static async Task<Results<Ok<PostWithVotes>, NotFound<ErrorResponse>>> GetPost(
        RouteId id, Caller caller, PostFeeds feeds, Reads reads, CancellationToken cancellationToken) =>
        await reads.RunAsync((database, cancellationToken) => PostSql.ReadAllAsync(PostSql.ById(database, id.Value, feeds.Viewer(caller)), cancellationToken), cancellationToken) is [var post]
            ? TypedResults.Ok(post)
            : TypedResults.NotFound(new ErrorResponse($"post with id: {id} was not found"));

    /// <summary>One INSERT, which returns the values the database fills in (id, created_at); the owner is the caller.</summary>
    static async Task<Created<PostResponse>> CreatePost(
        JsonBody<PostRequest> body, Caller caller, NpgsqlDataSource database, ApiMetrics metrics, CancellationToken cancellationToken)
    {
        var request = body.Value;
        await using var insert = database.Command("""
            INSERT INTO posts (title, content, published, owner_id) VALUES ($1, $2, $3, $4)
            RETURNING id, created_at
            """, request.Title, request.Content, request.Published, caller.Id);
        await using var row = await insert.ExecuteReaderAsync(cancellationToken);
        await row.ReadAsync(cancellationToken);
        var created = request.Saved(row.GetInt32(0), row.GetDateTime(1), caller.Profile);
        metrics.PostCreated();
        return TypedResults.Created($"/posts/{created.Id}", created);
    }

    /// <summary>
    /// A full replacement by the owner, in one statement: the ownership rule is part of the UPDATE,
    /// which returns the one value the response needs from the row (the owner is the caller).
    /// </summary>
    static async Task<Results<Ok<PostResponse>, NotFound<ErrorResponse>, JsonHttpResult<ErrorResponse>>> UpdatePost(
        RouteId id, JsonBody<PostRequest> body, Caller caller, PostFeeds feeds, NpgsqlDataSource database, ILogger<Post> logger, CancellationToken cancellationToken)
    {
        var request = body.Value;
        await using var update = database.Command("""
            UPDATE posts SET title = $1, content = $2, published = $3 WHERE id = $4 AND owner_id = $5
            RETURNING created_at
            """, request.Title, request.Content, request.Published, id.Value, caller.Id);
        if (await update.ExecuteScalarAsync(cancellationToken) is not DateTime createdAt)
            return await IsSomeoneElsesAsync(id, caller, "update", feeds, database, logger, cancellationToken) ? Problems.Forbidden(NotOwner) : DoesNotExist(id);
        return TypedResults.Ok(request.Saved(id.Value, createdAt, caller.Profile));
    }

    static async Task<Results<NoContent, NotFound<ErrorResponse>, JsonHttpResult<ErrorResponse>>> DeletePost(
        RouteId id, Caller caller, PostFeeds feeds, NpgsqlDataSource database, ILogger<Post> logger, CancellationToken cancellationToken)
    {
        // Votes go with the post: ON DELETE CASCADE in the database.
        await using var delete = database.Command("DELETE FROM posts WHERE id = $1 AND owner_id = $2", id.Value, caller.Id);
        if (await delete.ExecuteNonQueryAsync(cancellationToken) == 0)
            return await IsSomeoneElsesAsync(id, caller, "delete", feeds, database, logger, cancellationToken) ? Problems.Forbidden(NotOwner) : DoesNotExist(id);
        return TypedResults.NoContent();
    }

    // Nothing matched "this id, owned by the caller": someone else's post (403, logged) or none (404;
    // with PRIVATE_DRAFTS also someone else's draft, whose existence is not the caller's to learn).
    static async Task<bool> IsSomeoneElsesAsync(
        RouteId id, Caller caller, string action, PostFeeds feeds, NpgsqlDataSource database, ILogger logger, CancellationToken cancellationToken)
    {
        if (!await PostSql.ExistsAsync(database, id.Value, feeds.Viewer(caller), cancellationToken))
            return false;
        logger.LogWarning("User {UserId} refused: {Action} of post {PostId} owned by someone else", caller.Id, action, id.Value);
        return true;
    }

    static NotFound<ErrorResponse> DoesNotExist(RouteId id) =>
        TypedResults.NotFound(new ErrorResponse($"post with id: {id} does not exist"));
}
