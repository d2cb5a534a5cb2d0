using System.Globalization;

namespace Social.Api.Infrastructure.Validation;

/// <summary>
/// The <c>{id}</c> of a route. Not an <c>{id:int}</c> constraint, because the contract answers a
/// non-integer id with 422 (and only after authentication), not with 404.
/// </summary>
public sealed class RouteId : IValidatedInput
{
    RouteId(int value, IReadOnlyList<ValidationError> errors) => (Value, Errors) = (value, errors);

    public int Value { get; }

    public IReadOnlyList<ValidationError> Errors { get; }

    /// <summary>Always succeeds: a bad id is kept with its problem, for <see cref="ValidationFilter"/>.</summary>
    public static bool TryParse(string? text, IFormatProvider? provider, out RouteId id)
    {
        id = Parse(text);
        return true;
    }

    public static RouteId Parse(string? text)
    {
        if (!IntegerText.IsInteger(text))
            return new(0, [ValidationErrors.NotAnInteger("path", "id")]);
        // Ids are PostgreSQL integers: a number outside 32 bits can name no row.
        var value = IntegerText.Saturated(text!);
        if (value > int.MaxValue)
            return new(0, [ValidationErrors.Above(int.MaxValue, "path", "id")]);
        if (value < int.MinValue)
            return new(0, [ValidationErrors.Below(int.MinValue, "path", "id")]);
        return new((int)value, []);
    }

    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}
