using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Social.Api.Tests.Infrastructure;

/// <summary>Debian's Prometheus, scraping the given targets every half second, in a folder of its own.</summary>
public sealed class PrometheusProcess : IAsyncDisposable
{
    readonly Process _process;
    readonly string _folder;
    readonly HttpClient _client;

    PrometheusProcess(Process process, string folder, string url) =>
        (_process, _folder, _client) = (process, folder, new HttpClient { BaseAddress = new Uri(url) });

    public const string Program = "/usr/bin/prometheus";

    /// <summary>Skips the test (fails it in CI) without Debian's prometheus.</summary>
    public static void Require(string test) => ExternalProcess.Require([File.Exists(Program) ? null : "Debian's prometheus package"], test);

    public static async Task<PrometheusProcess> StartAsync(IEnumerable<string> targets)
    {
        var folder = Directory.CreateTempSubdirectory("social-prometheus-").FullName;
        var config = Path.Combine(folder, "prometheus.yml");
        await File.WriteAllTextAsync(config, $$"""
            global:
              scrape_interval: 500ms
              scrape_timeout: 400ms
            scrape_configs:
              - job_name: social-api
                static_configs:
                  - targets: [{{string.Join(", ", targets.Select(t => $"'{t}'"))}}]
            """);
        var url = $"http://127.0.0.1:{ServiceProcess.FreePort()}";
        var start = new ProcessStartInfo(Program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(folder, "data")}", $"--web.listen-address={new Uri(url).Authority}" })
            start.ArgumentList.Add(argument);
        var process = Process.Start(start)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var prometheus = new PrometheusProcess(process, folder, url);
        await Eventually.HoldsAsync(() => Eventually.AnswersOkAsync(prometheus._client, "/-/ready"), "Prometheus ready", TimeSpan.FromSeconds(30));
        return prometheus;
    }

    /// <summary>The value of an instant query with one result; null when it has none.</summary>
    public async Task<double?> ValueAsync(string query)
    {
        var answer = JsonNode.Parse(await _client.GetStringAsync("/api/v1/query?query=" + Uri.EscapeDataString(query)))!;
        Assert.Equal("success", answer["status"]!.GetValue<string>());
        var results = answer["data"]!["result"]!.AsArray();
        return results.Count == 1 ? double.Parse(results[0]!["value"]![1]!.GetValue<string>(), CultureInfo.InvariantCulture) : null;
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
