using System.Text.RegularExpressions;

namespace Social.Api.Users;

/// <summary>
/// E-mail addresses as the original accepts and stores them (pydantic's EmailStr): surrounding
/// whitespace dropped, <c>Name &lt;addr&gt;</c> reduced to the address, the domain lower-cased and
/// the local part kept as sent. Internationalised addresses are accepted. Rules are a little
/// more lenient than the original's where it was stricter without reason, never stricter.
/// </summary>
public static partial class EmailAddress
{
    const int MaxLength = 254, MaxLocalLength = 64, MaxLabelLength = 63;

    /// <summary>The address to store, or null when it is not a valid address.</summary>
    public static string? Normalize(string? input)
    {
        if (input is null)
            return null;
        var match = DisplayNameForm().Match(input);
        var email = (match.Success ? match.Groups["address"].Value : input).Trim();

        var at = email.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at != email.LastIndexOf('@') || email.Length > MaxLength)
            return null;
        var local = email[..at];
        var domain = email[(at + 1)..].ToLowerInvariant();
        return local.Length <= MaxLocalLength && IsDotAtom(local) && IsDomain(domain) ? $"{local}@{domain}" : null;
    }

    // RFC 5322 dot-atom: atext characters (any non-ASCII letter too, RFC 6531) in dot-separated runs.
    static bool IsDotAtom(string local) =>
        local.Split('.').All(run => run.Length > 0 && run.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-/=?^_`{|}~".Contains(c, StringComparison.Ordinal) || (c > 127 && !char.IsWhiteSpace(c) && !char.IsControl(c))));

    // At least two labels of letters, digits and inner hyphens, ending in a top-level domain that ends with a letter.
    static bool IsDomain(string domain)
    {
        var labels = domain.Split('.');
        return labels.Length >= 2
            && labels.All(l => l.Length is > 0 and <= MaxLabelLength && l[0] != '-' && l[^1] != '-' && l.All(c => char.IsLetterOrDigit(c) || c == '-'))
            && char.IsLetter(labels[^1][^1]);
    }

    // pydantic's pretty_email_regex: "Jane Doe <jd@example.org>".
    [GeneratedRegex(@"^([\w ]*?) *<(?<address>.*)> *$", RegexOptions.CultureInvariant)]
    private static partial Regex DisplayNameForm();
}
