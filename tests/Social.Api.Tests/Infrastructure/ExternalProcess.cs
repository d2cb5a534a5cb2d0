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

    /// <summary>Runs a program to its end: its exit code, standard output and standard error.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, error);
    }
}
