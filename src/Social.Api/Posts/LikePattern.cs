namespace Social.Api.Posts;

/// <summary>
/// LIKE patterns that match the search text literally: the original passed <c>%</c>, <c>_</c>
/// and <c>\</c> through as wildcards and escapes.
/// </summary>
public static class LikePattern
{
    public const string Escape = "\\";

    public static string Containing(string text) =>
        "%" + text.Replace(Escape, Escape + Escape, StringComparison.Ordinal)
                  .Replace("%", Escape + "%", StringComparison.Ordinal)
                  .Replace("_", Escape + "_", StringComparison.Ordinal) + "%";
}
