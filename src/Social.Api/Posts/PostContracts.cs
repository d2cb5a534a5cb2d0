using System.Linq.Expressions;
using System.Text.Json.Serialization;
using Social.Api.Infrastructure.Validation;
using Social.Api.Users;

namespace Social.Api.Posts;

/// <summary>
/// Create and replace body. <c>published</c> defaults to true on both (PUT is a full
/// replacement). <c>id</c>, <c>owner_id</c> and <c>created_at</c> in the body are ignored.
/// Lengths are capped on write (MAX_TITLE_LENGTH, MAX_CONTENT_LENGTH); the original had no cap.
/// </summary>
public sealed record PostRequest(string Title, string Content, bool Published = true) : IJsonRequest<PostRequest>
{
    public static PostRequest Read(JsonFields fields) => new(
        fields.String("title", fields.Limits.MaxTitleLength) ?? "",
        fields.String("content", fields.Limits.MaxContentLength) ?? "",
        fields.Boolean("published", defaultValue: true));
}

/// <summary>A post with its owner's public profile, keys in the original's order.</summary>
public sealed record PostResponse(
    string Title, string Content, bool Published, int Id, DateTime CreatedAt, int OwnerId, UserResponse Owner);

/// <summary>The original's read shape: <c>{"Post": {...}, "votes": n}</c>, capital P included.</summary>
public sealed record PostWithVotes([property: JsonPropertyName("Post")] PostResponse Post, int Votes);

/// <summary>
/// Projections EF Core translates to SQL: the owner comes in the same query, and the vote count
/// from the posts row itself (the counter column), so reading a page never counts votes.
/// </summary>
public static class PostProjections
{
    public static readonly Expression<Func<Post, PostWithVotes>> WithVotes = p =>
        new PostWithVotes(
            new PostResponse(p.Title, p.Content, p.Published, p.Id, p.CreatedAt, p.OwnerId,
                new UserResponse(p.Owner.Id, p.Owner.Email, p.Owner.CreatedAt)),
            p.VoteCount);
}
