using System.Globalization;

namespace Social.Api.Infrastructure.Validation;

/// <summary>Integers in paths and query strings, told apart from numbers that merely do not fit.</summary>
public static class IntegerText
{
    /// <summary>An optional sign and decimal digits, of any length (<c>1.5</c>, <c>1e3</c>, <c>0x10</c> are not).</summary>
    public static bool IsInteger(string? text)
    {
        var digits = text.AsSpan();
        if (digits.Length > 0 && digits[0] is '+' or '-')
            digits = digits[1..];
        return digits.Length > 0 && !digits.ContainsAnyExceptInRange('0', '9');
    }

    public static bool IsNegative(string text) => text.StartsWith('-') && text.AsSpan(1).ContainsAnyExceptInRange('0', '0');

    /// <summary>The value when it fits in 64 bits; otherwise the nearest 64-bit value.</summary>
    public static long Saturated(string integer) =>
        long.TryParse(integer, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value
        : IsNegative(integer) ? long.MinValue : long.MaxValue;
}
