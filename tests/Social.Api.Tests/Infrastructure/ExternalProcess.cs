using System.Diagnostics;

namespace Social.Api.Tests.Infrastructure;

public static class ExternalProcess
{
    /// <summary>Skips the test when something it needs is missing, except in CI, which installs it (.ci/run): there it fails.</summary>
    public static void Require(IEnumerable<string?> missing, string test)
    {
        var names = missing.OfType<string>().ToList();
        if (names.Count == 0)
            return;
        var reason = $"{test} needs {string.Join(" and ", names)}";
        if (Environment.GetEnvironmentVariable("CI") == "true")
            Assert.Fail(reason);
        Assert.Skip(reason);
    }

    /// <summary>Runs a helper program; skips the test (with the reason) when the program or its module is not installed.</summary>
    public static async Task<string> OutputOrSkipAsync(string program, IEnumerable<string> arguments, string requirement)
    {
        if (!File.Exists(program))
            Assert.Skip($"{requirement} is not installed");
        var (exitCode, output, error) = await RunAsync(program, arguments);
        if (exitCode != 0)
        {
            if (error.Contains("ModuleNotFoundError", StringComparison.Ordinal))
                Assert.Skip($"{requirement} is not installed");
            Assert.Fail($"{program} failed: {error}");
        }
        return output;
    }

    /// <summary>
    /// Runs a program to its end: its exit code, standard output and standard error. Past
    /// <paramref name="timeout"/> (default 60 s) it is killed and the test fails.
    /// </summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(
        string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', start.ArgumentList)} took longer than {(timeout ?? TimeSpan.FromSeconds(60)).TotalSeconds} s: {await error}");
        }
        return (process.ExitCode, await output, await error);
    }
}
