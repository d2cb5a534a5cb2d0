using System.Text.Json;

namespace Social.Api.Infrastructure.Validation;

/// <summary>
/// Reads the fields of a JSON object strictly (a string must be a JSON string, an integer a JSON
/// integer), collecting one <see cref="ValidationError"/> per bad field. Unknown fields are
/// ignored, as the original ignores them.
/// </summary>
public sealed class JsonFields(JsonElement obj, RequestLimits limits)
{
    /// <summary>The configured length limits, for contracts that apply them.</summary>
    public RequestLimits Limits { get; } = limits;

    readonly List<ValidationError> _errors = [];

    public IReadOnlyList<ValidationError> Errors => _errors;

    public void Add(ValidationError error) => _errors.Add(error);

    /// <summary>A required string; null (with the problem recorded) when it is missing or unusable.</summary>
    public string? String(string name, int? maxLength = null)
    {
        if (!Present(name, out var value))
            return null;
        if (value.ValueKind != JsonValueKind.String)
            return Fail<string?>(ValidationErrors.NotAString("body", name), null);

        string text;
        try
        {
            text = value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            return Fail<string?>(ValidationErrors.InvalidUnicode("body", name), null);
        }
        if (text.Contains('\0', StringComparison.Ordinal))
            return Fail<string?>(ValidationErrors.ContainsNul("body", name), null);
        if (maxLength is { } max && text.Length > max)
            return Fail<string?>(ValidationErrors.TooLong(max, "body", name), null);
        return text;
    }

    public bool Boolean(string name, bool defaultValue)
    {
        if (!obj.TryGetProperty(name, out var value))
            return defaultValue;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Null => Fail(ValidationErrors.NotNull("body", name), defaultValue),
            _ => Fail(ValidationErrors.NotABoolean("body", name), defaultValue),
        };
    }

    public int Integer(string name, int min = int.MinValue, int max = int.MaxValue)
    {
        if (!Present(name, out var value))
            return 0;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number))
            return Fail(ValidationErrors.NotAnInteger("body", name), 0);
        if (number < min)
            return Fail(ValidationErrors.Below(min, "body", name), 0);
        if (number > max)
            return Fail(ValidationErrors.Above(max, "body", name), 0);
        return (int)number;
    }

    bool Present(string name, out JsonElement value)
    {
        if (!obj.TryGetProperty(name, out value))
            _errors.Add(ValidationErrors.Missing("body", name));
        else if (value.ValueKind == JsonValueKind.Null)
            _errors.Add(ValidationErrors.NotNull("body", name));
        else
            return true;
        return false;
    }

    TValue Fail<TValue>(ValidationError error, TValue fallback)
    {
        _errors.Add(error);
        return fallback;
    }
}
