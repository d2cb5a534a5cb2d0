namespace Social.Api.Posts;

/// <summary>
/// The orders a list of posts comes in (<c>?sort=</c>). <see cref="Id"/> is the order without
/// <c>sort</c>, as before sorts existed; the others put the highest key first, ties by the higher id.
/// </summary>
public enum FeedSort : byte
{
    Id = 0,
    New = 1,
    Top = 2,
    Hot = 3,
}

/// <summary>How far back <c>sort=top</c> looks (<c>?t=</c>): posts created within the window.</summary>
public enum TopWindow : byte
{
    All = 0,
    Day = 1,
    Week = 2,
    Month = 3,
    Year = 4,
}

public static class FeedOrder
{
    public static readonly string[] SortNames = ["new", "top", "hot"];
    public static readonly string[] WindowNames = ["day", "week", "month", "year", "all"];

    /// <summary>The sort a <c>sort</c> value names; absent or empty is the id order.</summary>
    public static FeedSort? ParseSort(string? text) => text switch
    {
        null or "" => FeedSort.Id,
        "new" => FeedSort.New,
        "top" => FeedSort.Top,
        "hot" => FeedSort.Hot,
        _ => null,
    };

    public static TopWindow? ParseWindow(string? text) => text switch
    {
        null or "" or "all" => TopWindow.All,
        "day" => TopWindow.Day,
        "week" => TopWindow.Week,
        "month" => TopWindow.Month,
        "year" => TopWindow.Year,
        _ => null,
    };

    /// <summary>The window as a PostgreSQL interval literal; a fixed set, never the client's text.</summary>
    public static string Interval(TopWindow window) => window switch
    {
        TopWindow.Day => "1 day",
        TopWindow.Week => "7 days",
        TopWindow.Month => "1 month",
        TopWindow.Year => "1 year",
        _ => throw new ArgumentOutOfRangeException(nameof(window), window, "all has no interval"),
    };
}
