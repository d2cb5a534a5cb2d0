using Microsoft.EntityFrameworkCore;
using Social.Api.ApiDocs;
using Social.Api.Auth;
using Social.Api.Data;
using Social.Api.Infrastructure;
using Social.Api.Infrastructure.Validation;

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
            .WithDescription("A page of posts with their vote counts, ordered by id. `search` keeps posts whose title contains the text (case-sensitive; `%`, `_` and `\\` match only themselves).")
            .WithExamples(response: Examples.Page);
        posts.MapPost("/", CreatePost)
            .ProducesErrors(400, 413)
            .WithSummary("Create a post")
            .WithDescription("The caller becomes the owner; `published` defaults to true. `id`, `owner_id` and `created_at` in the body are ignored.")
            .WithExamples(request: Examples.NewPost, response: Examples.Post);
        posts.MapGet("/{id}", GetPost)
            .WithSummary("Read a post")
            .WithDescription("Any authenticated user can read any post, published or not.")
            .WithExamples(response: Examples.PostWithVotes);
        posts.MapPut("/{id}", UpdatePost)
            .Produces<ErrorResponse>(StatusCodes.Status403Forbidden)
            .ProducesErrors(400, 413)
            .WithSummary("Replace a post")
            .WithDescription("A full replacement by the owner: an omitted `published` becomes true again. 404 if there is no such post, 403 if it is someone else's.")
            .WithExamples(request: Examples.NewPost, response: Examples.Post);
        posts.MapDelete("/{id}", DeletePost)
            .Produces<ErrorResponse>(StatusCodes.Status403Forbidden)
            .WithSummary("Delete a post")
            .WithDescription("By the owner; the post's votes go with it. 404 if there is no such post, 403 if it is someone else's.");
        return posts;
    }

    /// <summary>
    /// Ordered by id, so paging with <c>skip</c> is stable; the search is a literal substring of the
    /// title. Searches and deep pages pick their ids first (an index-only scan of ix_posts_id_title
    /// over the rows they pass by) and read only those posts; the plain first pages are served best
    /// as they are.
    /// </summary>
    static async Task<Ok<List<PostWithVotes>>> ListPosts(PostListQuery query, AppDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await Page(db, query.Search, query.Skip, query.Limit).ToListAsync(cancellationToken));

    /// <summary>The list query; its LIMIT reaches the SQL as a literal, its OFFSET as a parameter (see <see cref="Paging"/>).</summary>
    public static IQueryable<PostWithVotes> Page(AppDbContext db, string search, int skip, int limit)
    {
        var posts = db.Posts.AsNoTracking();
        if (search.Length > 0)
            posts = posts.Where(p => EF.Functions.Like(p.Title, LikePattern.Containing(search), LikePattern.Escape));

        var page = posts.OrderBy(p => p.Id).Page(skip, limit);
        if (search.Length > 0 || skip >= DeepPage)
        {
            var ids = page.Select(p => p.Id);
            page = db.Posts.AsNoTracking().Where(p => ids.Contains(p.Id)).OrderBy(p => p.Id);
        }
        return page.Select(PostProjections.WithVotes);
    }

    const int DeepPage = 1_000;

    static async Task<Results<Ok<PostWithVotes>, NotFound<ErrorResponse>>> GetPost(
        RouteId id, AppDbContext db, CancellationToken cancellationToken) =>
        await db.Posts.AsNoTracking().Where(p => p.Id == id.Value).Select(PostProjections.WithVotes).FirstOrDefaultAsync(cancellationToken) is { } post
            ? TypedResults.Ok(post)
            : TypedResults.NotFound(new ErrorResponse($"post with id: {id} was not found"));

    /// <summary>One INSERT, which returns the values the database fills in (id, created_at); the owner is the caller.</summary>
    static async Task<Created<PostResponse>> CreatePost(
        JsonBody<PostRequest> body, Caller caller, AppDbContext db, CancellationToken cancellationToken)
    {
        var request = body.Value;
        var post = new Post { Title = request.Title, Content = request.Content, Published = request.Published, OwnerId = caller.Id };
        db.Posts.Add(post);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/posts/{post.Id}", PostResponse.From(post, caller.Profile));
    }

    /// <summary>
    /// A full replacement by the owner, in one statement: the ownership rule is part of the UPDATE,
    /// which returns the one value the response needs from the row (the owner is the caller).
    /// </summary>
    static async Task<Results<Ok<PostResponse>, NotFound<ErrorResponse>, JsonHttpResult<ErrorResponse>>> UpdatePost(
        RouteId id, JsonBody<PostRequest> body, Caller caller, AppDbContext db, ILogger<Post> logger, CancellationToken cancellationToken)
    {
        var request = body.Value;
        var createdAt = await db.Database.SqlQuery<DateTime>($"""
            UPDATE posts SET title = {request.Title}, content = {request.Content}, published = {request.Published}
            WHERE id = {id.Value} AND owner_id = {caller.Id}
            RETURNING created_at AS "Value"
            """).ToListAsync(cancellationToken);
        if (createdAt is not [var created])
            return await IsSomeoneElsesAsync(id, caller, "update", db, logger, cancellationToken) ? Problems.Forbidden(NotOwner) : DoesNotExist(id);

        var post = new Post { Id = id.Value, Title = request.Title, Content = request.Content, Published = request.Published, OwnerId = caller.Id, CreatedAt = created };
        return TypedResults.Ok(PostResponse.From(post, caller.Profile));
    }

    static async Task<Results<NoContent, NotFound<ErrorResponse>, JsonHttpResult<ErrorResponse>>> DeletePost(
        RouteId id, Caller caller, AppDbContext db, ILogger<Post> logger, CancellationToken cancellationToken)
    {
        // Votes go with the post: ON DELETE CASCADE in the database.
        var deleted = await db.Posts
            .Where(p => p.Id == id.Value && p.OwnerId == caller.Id)
            .ExecuteDeleteAsync(cancellationToken);
        if (deleted == 0)
            return await IsSomeoneElsesAsync(id, caller, "delete", db, logger, cancellationToken) ? Problems.Forbidden(NotOwner) : DoesNotExist(id);
        return TypedResults.NoContent();
    }

    // Nothing matched "this id, owned by the caller": someone else's post (403, logged) or none (404).
    static async Task<bool> IsSomeoneElsesAsync(
        RouteId id, Caller caller, string action, AppDbContext db, ILogger logger, CancellationToken cancellationToken)
    {
        if (!await db.Posts.AnyAsync(p => p.Id == id.Value, cancellationToken))
            return false;
        logger.LogWarning("User {UserId} refused: {Action} of post {PostId} owned by someone else", caller.Id, action, id.Value);
        return true;
    }

    static NotFound<ErrorResponse> DoesNotExist(RouteId id) =>
        TypedResults.NotFound(new ErrorResponse($"post with id: {id} does not exist"));
}
