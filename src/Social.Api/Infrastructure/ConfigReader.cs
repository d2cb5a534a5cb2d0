using System.Globalization;
using System.Net;

namespace Social.Api.Infrastructure;

/// <summary>Reads one environment-style variable at a time; a bad value names the variable.</summary>
public sealed class ConfigReader(IConfiguration config)
{
    public string? Text(string name) => string.IsNullOrWhiteSpace(config[name]) ? null : config[name]!.Trim();

    public bool IsSet(string name) => Text(name) is not null;

    public string Required(string name, string why) =>
        Text(name) ?? throw new InvalidConfigurationException($"{name} is not set ({why}).");

    public int Int(string name, int fallback, int min, int max)
    {
        var text = Text(name);
        if (text is null)
            return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw Invalid(name, text, $"a whole number from {min} to {max}");
        return value;
    }

    public bool Bool(string name, bool fallback) =>
        Text(name)?.ToLowerInvariant() switch
        {
            null => fallback,
            "true" or "1" or "yes" or "on" => true,
            "false" or "0" or "no" or "off" => false,
            var other => throw Invalid(name, other, "true or false"),
        };

    /// <summary>A rate such as <c>20/min</c>, <c>5/s</c>, <c>1000/hour</c> or <c>60</c> (per minute).</summary>
    public RateLimit Rate(string name, RateLimit fallback)
    {
        var text = Text(name);
        if (text is null)
            return fallback;
        var parts = text.Replace(" ", "", StringComparison.Ordinal).Split('/', 2);
        TimeSpan? period = parts.Length == 1 ? TimeSpan.FromMinutes(1) : parts[1].ToLowerInvariant() switch
        {
            "s" or "sec" or "second" => TimeSpan.FromSeconds(1),
            "m" or "min" or "minute" => TimeSpan.FromMinutes(1),
            "h" or "hour" => TimeSpan.FromHours(1),
            "d" or "day" => TimeSpan.FromDays(1),
            _ => null,
        };
        if (period is null || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1)
            throw Invalid(name, text, "a rate such as 20/min, 5/s or 1000/hour");
        return new RateLimit(count, period.Value);
    }

    /// <summary>A comma-separated list of IP addresses and CIDR networks.</summary>
    public IReadOnlyList<IPNetwork> Networks(string name)
    {
        var text = Text(name);
        if (text is null)
            return [];
        var networks = new List<IPNetwork>();
        foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (IPNetwork.TryParse(item, out var network))
                networks.Add(network);
            else if (IPAddress.TryParse(item, out var address))
                networks.Add(new IPNetwork(address, address.GetAddressBytes().Length * 8));
            else
                throw Invalid(name, item, "IP addresses or networks such as 10.0.0.0/8, separated by commas");
        }
        return networks;
    }

    static InvalidConfigurationException Invalid(string name, string value, string expected) =>
        new($"{name} is '{value}'; it must be {expected}.");
}

/// <summary>At most <see cref="Count"/> requests per <see cref="Period"/>.</summary>
public sealed record RateLimit(int Count, TimeSpan Period);
