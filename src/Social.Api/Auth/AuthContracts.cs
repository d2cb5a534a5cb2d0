namespace Social.Api.Auth;

/// <summary>The original's token response; <c>token_type</c> is lower-case "bearer".</summary>
public sealed record TokenResponse(string AccessToken, string TokenType);
