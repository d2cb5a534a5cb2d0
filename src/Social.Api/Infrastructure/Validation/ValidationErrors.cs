namespace Social.Api.Infrastructure.Validation;

/// <summary>The pydantic (v1) messages and types the original answers with, so clients that show them keep working.</summary>
public static class ValidationErrors
{
    public static ValidationError Missing(params JsonLocation[] loc) => new(loc, "field required", "value_error.missing");
    public static ValidationError NotNull(params JsonLocation[] loc) => new(loc, "none is not an allowed value", "type_error.none.not_allowed");
    public static ValidationError NotAString(params JsonLocation[] loc) => new(loc, "str type expected", "type_error.str");
    public static ValidationError NotABoolean(params JsonLocation[] loc) => new(loc, "value could not be parsed to a boolean", "type_error.bool");
    public static ValidationError NotAnInteger(params JsonLocation[] loc) => new(loc, "value is not a valid integer", "type_error.integer");
    public static ValidationError NotAnObject(params JsonLocation[] loc) => new(loc, "value is not a valid dict", "type_error.dict");
    public static ValidationError NotAnEmail(params JsonLocation[] loc) => new(loc, "value is not a valid email address", "value_error.email");

    // PostgreSQL text cannot hold U+0000, and bcrypt stops at it; refused instead of crashing later.
    public static ValidationError ContainsNul(params JsonLocation[] loc) => new(loc, "string contains a NUL character", "value_error.str.nul");
    public static ValidationError InvalidUnicode(params JsonLocation[] loc) => new(loc, "string is not valid Unicode (lone surrogate)", "value_error.str.unicode");

    public static ValidationError TooLong(long limit, params JsonLocation[] loc) =>
        new(loc, $"ensure this value has at most {limit} characters", "value_error.any_str.max_length", new Dictionary<string, long> { ["limit_value"] = limit });

    public static ValidationError Below(long limit, params JsonLocation[] loc) =>
        new(loc, $"ensure this value is greater than or equal to {limit}", "value_error.number.not_ge", new Dictionary<string, long> { ["limit_value"] = limit });

    public static ValidationError Above(long limit, params JsonLocation[] loc) =>
        new(loc, $"ensure this value is less than or equal to {limit}", "value_error.number.not_le", new Dictionary<string, long> { ["limit_value"] = limit });
}
