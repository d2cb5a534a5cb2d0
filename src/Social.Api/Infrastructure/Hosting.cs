using dotenv.net;

namespace Social.Api.Infrastructure;

public static class Hosting
{
    /// <summary>The original's port; loopback only unless --urls or ASPNETCORE_URLS say otherwise.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8000";

    /// <summary>
    /// Reads <c>.env</c> from the working directory into the environment, as the original's
    /// settings do; variables already set in the real environment win.
    /// </summary>
    public static void LoadDotEnvFile() =>
        DotEnv.Fluent().WithEnvFiles(Path.Combine(Directory.GetCurrentDirectory(), ".env")).WithoutExceptions().WithoutOverwriteExistingVars().Load();

    public static WebApplicationBuilder UseDefaultAddress(this WebApplicationBuilder builder)
    {
        var config = builder.Configuration;
        if (config["urls"] is null && config["http_ports"] is null && config["https_ports"] is null)
            builder.WebHost.UseUrls(DefaultUrl);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        return builder;
    }
}
