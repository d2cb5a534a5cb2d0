using System.Reflection;
using Social.Api.Infrastructure;
using Social.Api.Infrastructure.Validation;

namespace Social.Api.Posts;

/// <summary>
/// <c>?limit=10&amp;skip=0&amp;search=</c> of <c>GET /posts/</c>. A repeated parameter: the last
/// one wins, as in the original. Negative values are refused (the original crashed on them);
/// <c>limit</c> is capped at MAX_PAGE_SIZE so one request cannot dump the table.
/// </summary>
public sealed class PostListQuery : IValidatedInput
{
    public const int DefaultLimit = 10;

    public int Limit { get; private init; } = DefaultLimit;
    public int Skip { get; private init; }
    public string Search { get; private init; } = "";
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

        return ValueTask.FromResult<PostListQuery?>(new PostListQuery
        {
            Limit = (int)Math.Min(limit, maxPageSize),
            // OFFSET beyond two billion rows finds nothing either way.
            Skip = (int)Math.Min(skip, int.MaxValue),
            Search = search,
            Errors = errors,
        });
    }

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
