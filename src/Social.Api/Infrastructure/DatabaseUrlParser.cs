using Npgsql;

namespace Social.Api.Infrastructure;

/// <summary>
/// Turns the URL form hosting platforms set (<c>postgresql://user:pass@host:port/db?sslmode=require</c>)
/// into an Npgsql connection string; as with libpq, the host may be a comma-separated list
/// (<c>postgresql://user:pass@db1:5432,db2:5433/db</c>).
/// </summary>
public static class DatabaseUrlParser
{
    const string Placeholder = "several-hosts.invalid";

    public static string ToConnectionString(string url)
    {
        var hosts = TakeHostList(ref url);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)
            || uri.Scheme is not ("postgres" or "postgresql")
            || string.IsNullOrEmpty(uri.Host))
            throw Invalid("it must look like postgresql://user:password@host:5432/database");

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length == 0)
            throw Invalid("it names no database after the host (…/database)");

        var userInfo = uri.UserInfo.Split(':', 2);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host.Trim('[', ']'),
            Port = uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port,
            Database = database,
            Username = userInfo[0].Length > 0 ? Uri.UnescapeDataString(userInfo[0]) : null,
            Password = userInfo.Length > 1 ? Uri.UnescapeDataString(userInfo[1]) : null,
        };
        if (hosts is not null)
            builder.Host = DatabaseHosts.Parse(hosts, 5432, out var invalid) ?? throw Invalid($"in its host list, {invalid}");

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var (key, value) = pair.Split('=', 2) switch
            {
                [var k, var v] => (Uri.UnescapeDataString(k), Uri.UnescapeDataString(v)),
                [var k] => (Uri.UnescapeDataString(k), ""),
                _ => ("", ""),
            };
            if (key.Equals("sslmode", StringComparison.OrdinalIgnoreCase))
                builder.SslMode = Enum.TryParse<SslMode>(value.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out var mode)
                    ? mode
                    : throw Invalid($"sslmode '{value}' is not one of disable, allow, prefer, require, verify-ca, verify-full");
        }
        return builder.ConnectionString;
    }

    // A list of hosts is no authority System.Uri accepts: it is taken out of the URL, which keeps
    // one placeholder host so that the rest parses as before. Null when there is one host.
    static string? TakeHostList(ref string url)
    {
        var start = url.IndexOf("://", StringComparison.Ordinal) + 3;
        if (start < 3)
            return null;
        var end = url.IndexOfAny(['/', '?', '#'], start);
        end = end < 0 ? url.Length : end;
        var at = url.LastIndexOf('@', end - 1, end - start) + 1;
        var hostStart = at > 0 ? at : start;
        var hosts = url[hostStart..end];
        if (!DatabaseHosts.AreSeveral(hosts))
            return null;
        url = url[..hostStart] + Placeholder + url[end..];
        return hosts;
    }

    static InvalidConfigurationException Invalid(string why) =>
        new($"{DatabaseSettings.UrlVariable} is not a usable PostgreSQL URL: {why}.");
}
