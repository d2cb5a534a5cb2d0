using Npgsql;
using Social.Api.ApiDocs;
using Social.Api.Auth;
using Social.Api.Data;
using Social.Api.Infrastructure;
using Social.Api.Infrastructure.Validation;
using Social.Api.Observability;
using Social.Api.Posts;

namespace Social.Api.Votes;

public static class VoteEndpoints
{
    public static RouteGroupBuilder MapVotes(this IEndpointRouteBuilder app)
    {
        var votes = app.MapGroup("/vote")
            .WithTags("Votes")
            .RequireAuthorization()
            .ProducesErrors(400, 401, 413, 422, 503)
            .AddEndpointFilter<ValidationFilter>();

        votes.MapPost("/", CastVote)
            .WithSummary("Vote or remove a vote")
            .WithDescription("`dir` 1 adds the caller's vote (409 if already voted), `dir` 0 removes it (404 if there is none); both answer 201. 404 if the post does not exist.")
            .WithExamples(request: Examples.Vote, response: Examples.VoteAdded);
        return votes;
    }

    /// <summary>
    /// Both directions are single statements settled by the primary key, so concurrent duplicate
    /// votes give exactly one 201 and 409 for the rest. Removing a vote answers 201 too, as the
    /// original does. Each statement first locks the post row, as a DELETE of the post does before
    /// its cascades reach the votes and the count: taking locks in the same order cannot deadlock.
    /// With PRIVATE_DRAFTS, someone else's unpublished post is not there to vote on (404).
    /// </summary>
    static async Task<Results<Created<MessageResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>>> CastVote(
        JsonBody<VoteRequest> body, Caller caller, PostFeeds feeds, NpgsqlDataSource database, ApiMetrics metrics, CancellationToken cancellationToken)
    {
        var (postId, dir) = body.Value;
        var userId = caller.Id;
        var viewer = feeds.Viewer(caller);
        var visible = viewer is null ? "" : " AND " + PostSql.VisibleTo("$1");

        if (dir == 1)
        {
            int added;
            try
            {
                added = await ExecuteAsync(database,
                    $"INSERT INTO votes (user_id, post_id) SELECT $1, id FROM posts WHERE id = $2{visible} FOR NO KEY UPDATE ON CONFLICT DO NOTHING",
                    userId, postId, cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
            {
                added = 0; // the post was deleted while the vote was being written
            }
            if (added == 1)
            {
                metrics.Voted(cast: true);
                return TypedResults.Created((string?)null, new MessageResponse("successfully added vote"));
            }
            return await PostSql.ExistsAsync(database, postId, viewer, cancellationToken)
                ? TypedResults.Conflict(new ErrorResponse($"user {userId} has alredy voted on post {postId}")) // sic: the original's text
                : PostNotFound(postId);
        }

        var removed = await ExecuteAsync(database, $"""
            WITH post AS (SELECT id FROM posts WHERE id = $2{visible} FOR NO KEY UPDATE)
            DELETE FROM votes USING post WHERE votes.user_id = $1 AND votes.post_id = post.id
            """, userId, postId, cancellationToken);
        if (removed == 1)
        {
            metrics.Voted(cast: false);
            return TypedResults.Created((string?)null, new MessageResponse("successfully deleted vote"));
        }
        return await PostSql.ExistsAsync(database, postId, viewer, cancellationToken)
            ? TypedResults.NotFound(new ErrorResponse("Vote does not exist"))
            : PostNotFound(postId);
    }

    static async Task<int> ExecuteAsync(NpgsqlDataSource database, string sql, int userId, int postId, CancellationToken cancellationToken)
    {
        await using var command = database.Command(sql, userId, postId);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    static NotFound<ErrorResponse> PostNotFound(int postId) =>
        TypedResults.NotFound(new ErrorResponse($"Post with id: {postId} does not exist"));
}
