namespace Social.Api.Infrastructure;

/// <summary>The original's success body for <c>GET /</c> and votes: <c>{"message": "..."}</c>.</summary>
public sealed record MessageResponse(string Message);
