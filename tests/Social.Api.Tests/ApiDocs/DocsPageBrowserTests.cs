using System.Diagnostics;
using System.Net;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.ApiClient;

namespace Social.Api.Tests.ApiDocs;

/// <summary>
/// A person's path through /docs in a real browser: open the page, log in with its own
/// Authorize form, call GET /posts/ from it and get 200. Headless Chromium (Debian's package)
/// driven by playwright-core (tests/browser). Skipped where those are not installed, except in CI.
/// </summary>
public sealed class DocsPageBrowserTests(TestEnvironment env)
{
    const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task APersonCanLogInOnTheDocsPageAndListPosts()
    {
        var script = Repository.PathOf("tests", "browser", "docs-login.mjs");
        ExternalProcess.Require([
            File.Exists(Chromium) ? null : "Debian's chromium package",
            Directory.Exists(Repository.PathOf("tests", "browser", "node_modules", "playwright-core")) ? null : "playwright-core (npm ci in tests/browser)",
        ], "the browser test");

        var started = await ServiceProcess.StartOnNewDatabaseAsync(env, "docs");
        using var service = started.Service;
        using var client = new HttpClient { BaseAddress = new Uri(started.Url) };
        var email = UniqueEmail("docs");
        var token = await client.RegisterAndLogInAsync(email);
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        await client.PostAsync("/posts/", RawJson("""{"title": "Hello from the docs page", "content": "Sent with curl, listed from /docs"}"""));

        // The committed screenshot is refreshed on request; otherwise it goes to the test output.
        var screenshot = Environment.GetEnvironmentVariable("UPDATE_DOCS_SCREENSHOT") == "1"
            ? Repository.PathOf("docs", "images", "docs.png")
            : Path.Combine(AppContext.BaseDirectory, "docs-page.png");
        var (exitCode, output) = await RunNodeAsync(script, started.Url, email, Password, screenshot);

        Assert.True(exitCode == 0, output);
        Assert.Contains("POST /login -> 200", output, StringComparison.Ordinal);
        Assert.Contains("GET /posts/ -> 200 (with a bearer token)", output, StringComparison.Ordinal);
        Assert.True(File.Exists(screenshot));
    }

    static async Task<(int ExitCode, string Output)> RunNodeAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repository.PathOf("tests", "browser"),
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var errors = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await errors);
    }
}
