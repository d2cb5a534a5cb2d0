using Social.Api.Infrastructure.Validation;

namespace Social.Api.Votes;

/// <summary><c>dir</c> 1 adds the caller's vote, 0 removes it; anything else is refused (the original took any value ≤ 1).</summary>
public sealed record VoteRequest(int PostId, int Dir) : IJsonRequest<VoteRequest>
{
    public static VoteRequest Read(JsonFields fields) =>
        new(fields.Integer("post_id"), fields.Integer("dir", min: 0, max: 1));
}
