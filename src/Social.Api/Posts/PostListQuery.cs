using System.Reflection;
using Social.Api.Infrastructure;
using Social.Api.Infrastructure.Validation;

namespace Social.Api.Posts;

/// <summary>
/// <c>?limit=10&amp;skip=0&amp;search=&amp;sort=&amp;t=&amp;cursor=</c> of the post lists. A repeated
/// parameter: the last one wins, as in the original. Negative values are refused (the original
/// crashed on them); <c>limit</c> is capped at MAX_PAGE_SIZE so one request cannot dump the table.
/// <c>t</c> only narrows <c>sort=top</c>, and a cursor already says where its page starts, so
/// either combination that would be ignored is refused instead. The cursor itself is checked
/// against its list by <see cref="FeedCursors"/>, which needs the list's scope.
/// </summary>
public sealed class PostListQuery : IValidatedInput
{
    public const int DefaultLimit = 10;

    public int Limit { get; private init; } = DefaultLimit;
    public int Skip { get; private init; }
    public string Search { get; private init; } = "";
    public FeedSort Sort { get; private init; }
    public TopWindow Window { get; private init; }
    public string? Cursor { get; private init; }
    public IReadOnlyList<ValidationError> Errors { get; private init; } = [];

    public static ValueTask<PostListQuery?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        var query = context.Request.Query;
        var maxPageSize = context.RequestServices.GetRequiredService<Settings>().Limits.MaxPageSize;
        var errors = new List<ValidationError>();

        var limit = NonNegative(query["limit"].LastOrDefault(), "limit", DefaultLimit, errors);
        var skip = NonNegative(query["skip"].LastOrDefault(), "skip", 0, errors);
        var search = query["search"].LastOrDefault() ?? "";
        if (search.Contains('\0', StringComparison.Ordinal))
            errors.Add(ValidationErrors.ContainsNul("query", "search"));
        else if (search.Length > RequestLimits.MaxSearchLength)
            errors.Add(ValidationErrors.TooLong(RequestLimits.MaxSearchLength, "query", "search"));

        var sort = FeedOrder.ParseSort(query["sort"].LastOrDefault());
        if (sort is null)
            errors.Add(NotOneOf(FeedOrder.SortNames, "sort"));
        var windowText = query["t"].LastOrDefault();
        var window = FeedOrder.ParseWindow(windowText);
        if (window is null)
            errors.Add(NotOneOf(FeedOrder.WindowNames, "t"));
        else if (!string.IsNullOrEmpty(windowText) && sort is not (FeedSort.Top or null))
            errors.Add(new(["query", "t"], "t applies only to sort=top", "value_error.t.without_top"));
        var cursor = query["cursor"].LastOrDefault();
        if (!string.IsNullOrEmpty(cursor) && skip > 0)
            errors.Add(new(["query", "skip"], "skip cannot be combined with cursor: the cursor already says where the page starts", "value_error.skip.with_cursor"));

        return ValueTask.FromResult<PostListQuery?>(new PostListQuery
        {
            Limit = (int)Math.Min(limit, maxPageSize),
            // OFFSET beyond two billion rows finds nothing either way.
            Skip = (int)Math.Min(skip, int.MaxValue),
            Search = search,
            Sort = sort ?? FeedSort.Id,
            Window = window ?? TopWindow.All,
            Cursor = string.IsNullOrEmpty(cursor) ? null : cursor,
            Errors = errors,
        });
    }

    static ValidationError NotOneOf(string[] permitted, string name) =>
        new(["query", name], $"value is not a valid enumeration member; permitted: {string.Join(", ", permitted.Select(p => $"'{p}'"))}", "type_error.enum");

    static long NonNegative(string? text, string name, long fallback, List<ValidationError> errors)
    {
        if (text is null)
            return fallback;
        if (!IntegerText.IsInteger(text))
            errors.Add(ValidationErrors.NotAnInteger("query", name));
        else if (IntegerText.IsNegative(text))
            errors.Add(ValidationErrors.Below(0, "query", name));
        else
            return IntegerText.Saturated(text);
        return fallback;
    }
}
