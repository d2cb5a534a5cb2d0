using dotenv.net;
using Microsoft.Extensions.Logging.Console;

namespace Social.Api.Infrastructure;

public static class Hosting
{
    /// <summary>The original's port; loopback only unless --urls or ASPNETCORE_URLS say otherwise.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8000";

    /// <summary>
    /// Reads <c>.env</c> from the working directory into the environment, as the original's
    /// settings do, then the checkout's (<c>dotnet run</c> works in the project folder); variables
    /// already set win over both.
    /// </summary>
    public static void LoadDotEnvFile()
    {
        string[] files = [Path.Combine(Directory.GetCurrentDirectory(), ".env"), Path.Combine(CheckoutRoot(), ".env")];
        foreach (var file in files.Distinct())
            DotEnv.Fluent().WithEnvFiles(file).WithoutExceptions().WithoutOverwriteExistingVars().Load();
    }

    /// <summary>The folder holding Social.slnx above the working directory; the working directory otherwise.</summary>
    public static string CheckoutRoot() => CheckoutRootAbove(Directory.GetCurrentDirectory()) ?? Directory.GetCurrentDirectory();

    /// <summary>The folder holding Social.slnx at or above <paramref name="folder"/>, if any.</summary>
    public static string? CheckoutRootAbove(string folder)
    {
        for (var dir = new DirectoryInfo(folder); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Social.slnx")))
                return dir.FullName;
        }
        return null;
    }

    /// <summary>Address, request limits, shutdown grace and structured logs.</summary>
    public static WebApplicationBuilder UseServerDefaults(this WebApplicationBuilder builder, Settings settings)
    {
        builder.UseDefaultAddress(settings.Management);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = settings.Limits.MaxBodyBytes;
        });
        // SIGTERM: stop accepting, let in-flight requests finish within this time, then exit.
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = settings.ShutdownTimeout);

        // One JSON object per line by default, with the request id of the scope and UTC timestamps;
        // Logging__Console__FormatterName=simple gives one plain line per entry, for a terminal.
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole();
        builder.Services.Configure<ConsoleLoggerOptions>(console => console.FormatterName ??= ConsoleFormatterNames.Json);
        builder.Services.Configure<JsonConsoleFormatterOptions>(json =>
        {
            json.IncludeScopes = true;
            json.UseUtcTimestamp = true;
            json.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
        });
        builder.Services.Configure<SimpleConsoleFormatterOptions>(simple =>
        {
            simple.SingleLine = true;
            simple.IncludeScopes = true;
            simple.UseUtcTimestamp = true;
            simple.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
        });
        return builder;
    }

    /// <summary>
    /// The public addresses: --urls or ASPNETCORE_URLS, otherwise ASPNETCORE_HTTP_PORTS and
    /// ASPNETCORE_HTTPS_PORTS, otherwise <see cref="DefaultUrl"/>. The server listens there, and the
    /// container's health probe asks the first of them.
    /// </summary>
    public static string[] PublicUrls(IConfiguration config)
    {
        if (List(config["urls"]) is [_, ..] urls)
            return urls;
        string[] ports = [.. List(config["http_ports"]).Select(port => $"http://*:{port}"), .. List(config["https_ports"]).Select(port => $"https://*:{port}")];
        return ports.Length > 0 ? ports : [DefaultUrl];
    }

    /// <summary>Listens on the public addresses and, beside them, the management ones (a port of their own).</summary>
    public static WebApplicationBuilder UseDefaultAddress(this WebApplicationBuilder builder, ManagementSettings? management = null)
    {
        var publicUrls = PublicUrls(builder.Configuration);
        var managementUrls = management?.Urls ?? [];
        foreach (var url in publicUrls)
        {
            if (management?.Ports.Contains(BindingAddress.Parse(url).Port) == true)
                throw new InvalidConfigurationException($"{ManagementSettings.Variable} and the public address {url} share a port; give the management address a port of its own.");
        }
        // Restated only when needed: beside ASPNETCORE_HTTP_PORTS, a URL list makes Kestrel warn that it overrides them.
        if (managementUrls.Count > 0 || publicUrls is [DefaultUrl])
            builder.WebHost.UseUrls([.. publicUrls, .. managementUrls]);
        return builder;
    }

    static string[] List(string? list) => (list ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
