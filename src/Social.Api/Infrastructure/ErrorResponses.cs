using System.Text.Json.Serialization;

namespace Social.Api.Infrastructure;

/// <summary>The body of every error the service answers: <c>{"detail": "..."}</c>, as FastAPI writes it.</summary>
public sealed record ErrorResponse(string Detail);

/// <summary>The 422 body: <c>{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}</c>.</summary>
public sealed record ValidationErrorResponse(IReadOnlyList<ValidationError> Detail);

/// <summary>One problem with one input value, in pydantic's shape.</summary>
/// <param name="Loc">Where the value came from (<c>body</c>, <c>query</c>, <c>path</c>) and its name.</param>
public sealed record ValidationError(
    IReadOnlyList<JsonLocation> Loc,
    string Msg,
    string Type,
    IReadOnlyDictionary<string, long>? Ctx = null);

/// <summary>One step of a <c>loc</c> path: a name, or a position for JSON syntax errors.</summary>
[JsonConverter(typeof(JsonLocationConverter))]
public readonly record struct JsonLocation(string? Name, long Position)
{
    public static implicit operator JsonLocation(string name) => new(name, 0);
    public static implicit operator JsonLocation(long position) => new(null, position);
}

public sealed class JsonLocationConverter : JsonConverter<JsonLocation>
{
    public override JsonLocation Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options) =>
        reader.TokenType == System.Text.Json.JsonTokenType.Number ? reader.GetInt64() : reader.GetString()!;

    public override void Write(System.Text.Json.Utf8JsonWriter writer, JsonLocation value, System.Text.Json.JsonSerializerOptions options)
    {
        if (value.Name is null)
            writer.WriteNumberValue(value.Position);
        else
            writer.WriteStringValue(value.Name);
    }
}

/// <summary>Shorthands for the error results handlers return.</summary>
public static class Problems
{
    public static JsonHttpResult<ErrorResponse> Forbidden(string detail) =>
        TypedResults.Json(new ErrorResponse(detail), AppJsonContext.Default.ErrorResponse, statusCode: StatusCodes.Status403Forbidden);

    /// <summary>429 with <c>Retry-After</c>, as the rate limiter's own refusals are written.</summary>
    public static JsonHttpResult<ErrorResponse> TooManyRequests(HttpResponse response, TimeSpan retryAfter)
    {
        response.SetRetryAfter(retryAfter);
        return TypedResults.Json(new ErrorResponse(ErrorHandling.TooManyRequests), AppJsonContext.Default.ErrorResponse, statusCode: StatusCodes.Status429TooManyRequests);
    }

    public static JsonHttpResult<ValidationErrorResponse> Unprocessable(IReadOnlyList<ValidationError> errors) =>
        TypedResults.Json(new ValidationErrorResponse(errors), AppJsonContext.Default.ValidationErrorResponse, statusCode: StatusCodes.Status422UnprocessableEntity);
}
