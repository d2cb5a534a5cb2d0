using Social.Api.Auth;
using Social.Api.Infrastructure;
using Social.Api.Posts;
using Social.Api.Users;
using Social.Api.Votes;

namespace Social.Api.ApiDocs;

/// <summary>The sample values shown in the OpenAPI document.</summary>
public static class Examples
{
    static readonly DateTime Registered = new(2026, 11, 26, 8, 17, 24, 841, DateTimeKind.Utc);
    static readonly DateTime Posted = new(2026, 11, 26, 8, 17, 41, 424, DateTimeKind.Utc);

    public static readonly UserRequest Registration = new("alice@example.com", "correct horse battery staple");
    public static readonly UserResponse User = new(17, "alice@example.com", Registered);

    public static readonly PasswordChangeRequest PasswordChange = new("correct horse battery staple", "a longer and newer passphrase");
    public static readonly AccountDeletionRequest AccountDeletion = new("correct horse battery staple");

    public const string LoginForm = """{"username": "alice@example.com", "password": "correct horse battery staple"}""";
    public static readonly TokenResponse Token = new("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyX2lkIjoxNywiZXhwIjoxNzk1Njg0NjQ4fQ.2b1S5Hn0Vv2Ynb9kQ1mBf3kqf2m0c8C5Q0E2tW8mPNA", "bearer");

    public static readonly PostRequest NewPost = new("Hello", "First post", Published: true);
    public static readonly PostResponse Post = new("Hello", "First post", true, 7, Posted, 17, User);
    public static readonly PostWithVotes PostWithVotes = new(Post, 2);
    public static readonly List<PostWithVotes> Page = [PostWithVotes];

    public static readonly VoteRequest Vote = new(7, 1);
    public static readonly MessageResponse VoteAdded = new("successfully added vote");
    public static readonly MessageResponse Hello = new("Hello World pushing out to ubuntu");
}
