using System.Text.Json;
using Social.Api.Tests.Infrastructure;

namespace Social.Api.Tests.Configuration;

/// <summary>The log format is the operator's choice through the usual Logging__ settings: JSON lines by default, plain lines for a terminal.</summary>
public sealed class LogFormatTests(TestEnvironment env)
{
    [Fact]
    public async Task LogsAreJsonLinesByDefault()
    {
        var started = await ServiceProcess.StartOnNewDatabaseAsync(env, "logjson");
        using var service = started.Service;

        var lines = service.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.NotEmpty(lines);
        Assert.All(lines, line => Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(line).RootElement.ValueKind));
    }

    [Fact]
    public async Task LoggingConsoleFormatterNameSimpleGivesPlainLines()
    {
        var started = await ServiceProcess.StartOnNewDatabaseAsync(env, "logsimple",
            new Dictionary<string, string> { ["Logging__Console__FormatterName"] = "simple" });
        using var service = started.Service;

        var lines = service.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains(lines, line => line.Contains("info: Microsoft.Hosting.Lifetime", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, line => line.StartsWith('{'));
    }
}
