using System.Globalization;

namespace Social.Api.Infrastructure;

/// <summary>
/// A list of database hosts as libpq and Npgsql take it: comma-separated, each with an optional
/// port (<c>db1,db2:5433,[::1]:5434</c>). Several hosts are a primary and its standbys
/// (docs/scaling.md); one host is what it always was.
/// </summary>
public static class DatabaseHosts
{
    public const string Example = "db1,db2:5433";

    /// <summary>Whether <paramref name="hosts"/> names more than one host.</summary>
    public static bool AreSeveral(string? hosts) => hosts?.Contains(',', StringComparison.Ordinal) == true;

    /// <summary>
    /// The list in Npgsql's form, every host with its port (<paramref name="defaultPort"/> where it
    /// has none); null, with the reason in <paramref name="why"/>, when an entry is empty or its port is not one.
    /// </summary>
    public static string? Parse(string list, int defaultPort, out string why)
    {
        var hosts = new List<string>();
        foreach (var entry in list.Split(',', StringSplitOptions.TrimEntries))
        {
            if (Split(entry) is not var (host, port) || host.Length == 0)
            {
                why = $"'{entry}' is not a host, with an optional :port";
                return null;
            }
            if (!int.TryParse(port ?? defaultPort.ToString(CultureInfo.InvariantCulture), NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65_535)
            {
                why = $"'{entry}' has a port that is not a number from 1 to 65535";
                return null;
            }
            hosts.Add($"{host}:{number.ToString(CultureInfo.InvariantCulture)}");
        }
        why = "";
        return string.Join(',', hosts);
    }

    // host, host:port, [v6] or [v6]:port; a bare IPv6 address (several colons) has no port.
    static (string Host, string? Port)? Split(string entry)
    {
        if (entry.StartsWith('['))
        {
            var end = entry.IndexOf(']', StringComparison.Ordinal);
            if (end < 0 || (end + 1 < entry.Length && entry[end + 1] != ':'))
                return null;
            return (entry[..(end + 1)], end + 1 < entry.Length ? entry[(end + 2)..] : null);
        }
        var colon = entry.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0 && colon != entry.LastIndexOf(':'))
            return ($"[{entry}]", null);
        return colon < 0 ? (entry, null) : (entry[..colon], entry[(colon + 1)..]);
    }
}
