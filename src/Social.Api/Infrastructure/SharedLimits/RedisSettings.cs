using StackExchange.Redis;

namespace Social.Api.Infrastructure.SharedLimits;

/// <summary>
/// REDIS_URL as the ecosystem writes it, <c>redis://[:password@]host:port[/db]</c> (<c>rediss://</c>
/// for TLS), or a StackExchange.Redis configuration string (<c>host:port,password=…</c>).
/// </summary>
public static class RedisSettings
{
    public const string Variable = "REDIS_URL";

    /// <summary>A limit check waits at most this long for Redis before counting in the instance.</summary>
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    public static ConfigurationOptions? Load(ConfigReader config)
    {
        if (config.Text(Variable) is not { } text)
            return null;
        ConfigurationOptions options;
        try
        {
            options = text.StartsWith("redis://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("rediss://", StringComparison.OrdinalIgnoreCase)
                ? FromUrl(new Uri(text))
                : ConfigurationOptions.Parse(text);
        }
        catch (Exception e) when (e is UriFormatException or ArgumentException or FormatException)
        {
            throw Invalid(text);
        }
        if (options.EndPoints.Count == 0)
            throw Invalid(text);
        options.AbortOnConnectFail = false;
        options.ClientName ??= "social-api";
        options.ConnectTimeout = Math.Min(options.ConnectTimeout, (int)Timeout.TotalMilliseconds * 2);
        options.AsyncTimeout = Math.Min(options.AsyncTimeout, (int)Timeout.TotalMilliseconds);
        options.SyncTimeout = Math.Min(options.SyncTimeout, (int)Timeout.TotalMilliseconds);
        return options;
    }

    static ConfigurationOptions FromUrl(Uri url)
    {
        var options = new ConfigurationOptions { Ssl = url.Scheme.Equals("rediss", StringComparison.OrdinalIgnoreCase) };
        options.EndPoints.Add(url.Host, url.IsDefaultPort || url.Port < 0 ? 6379 : url.Port);
        if (url.UserInfo.Length > 0)
        {
            var (user, password) = url.UserInfo.Split(':', 2) is [var u, var p] ? (u, p) : ("", url.UserInfo);
            options.User = user.Length > 0 ? Uri.UnescapeDataString(user) : null;
            options.Password = Uri.UnescapeDataString(password);
        }
        if (url.AbsolutePath.Trim('/') is { Length: > 0 } db)
            options.DefaultDatabase = int.TryParse(db, out var number) && number >= 0 ? number : throw new FormatException();
        return options;
    }

    static InvalidConfigurationException Invalid(string text) =>
        // The value may hold a password: only its shape is named.
        new($"{Variable} is not a Redis address ({text.Length} characters); it must be redis://[:password@]host:port[/db] or host:port[,password=…].");
}
