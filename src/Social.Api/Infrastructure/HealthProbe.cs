using System.Net;

namespace Social.Api.Infrastructure;

/// <summary>
/// <c>Social.Api healthcheck</c>: exits 0 when the service answers 200 on /health/live at the
/// address its configuration names, 1 otherwise. The container image's HEALTHCHECK runs it: the
/// image has no curl, and a probe that reads the same settings follows a changed ASPNETCORE_URLS.
/// </summary>
public static class HealthProbe
{
    public static async Task<int> RunAsync(IConfiguration config)
    {
        var url = new Uri(LocalAddress(config), "/health/live");
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = await client.GetAsync(url);
            if (response.StatusCode == HttpStatusCode.OK)
                return 0;
            Console.Error.WriteLine($"unhealthy: {url} answered {(int)response.StatusCode}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Console.Error.WriteLine($"unhealthy: {url}: {e.Message}");
        }
        return 1;
    }

    /// <summary>The first public address the service listens on (<see cref="Hosting.PublicUrls"/>), a wildcard host read as loopback.</summary>
    internal static Uri LocalAddress(IConfiguration config)
    {
        var address = BindingAddress.Parse(Hosting.PublicUrls(config)[0]);
        var host = address.Host switch
        {
            "+" or "*" or "0.0.0.0" or "" => "127.0.0.1",
            "[::]" => "[::1]",
            var named => named,
        };
        return new Uri($"{address.Scheme}://{host}:{address.Port}");
    }
}
