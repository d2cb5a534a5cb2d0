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

    /// <summary>The answer to a write: this request as stored, with what the database filled in, owned by the caller.</summary>
    public PostResponse Saved(int id, DateTime createdAt, UserResponse owner) =>
        new(Title, Content, Published, id, createdAt, owner.Id, owner);
}

/// <summary>A post with its owner's public profile, keys in the original's order.</summary>
public sealed record PostResponse(
    string Title, string Content, bool Published, int Id, DateTime CreatedAt, int OwnerId, UserResponse Owner);

/// <summary>The original's read shape: <c>{"Post": {...}, "votes": n}</c>, capital P included.</summary>
public sealed record PostWithVotes([property: JsonPropertyName("Post")] PostResponse Post, int Votes);
