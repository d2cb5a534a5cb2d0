using System.Text.RegularExpressions;
using Social.Api.Infrastructure;
using Social.Api.Tests.Infrastructure;

namespace Social.Api.Tests.Configuration;

/// <summary>The real process collects its heap once when traffic stops, and not while it is served.</summary>
public sealed partial class IdleMemoryTrimTests(TestEnvironment env)
{
    [Fact]
    public async Task TheHeapIsTrimmedOnceWhenABurstOfRequestsEndsAndNeverDuringIt()
    {
        var (service, url, _) = await ServiceProcess.StartOnNewDatabaseAsync(env, "trim", new Dictionary<string, string>
        {
            ["Logging__LogLevel__Social.Api.Infrastructure.IdleMemoryTrim"] = "Debug",
        });
        using (service)
        {
            // Start-up itself is a burst: its trim comes first.
            var atStart = await TrimsAsync(service, atLeast: 1);

            using var client = new HttpClient { BaseAddress = new Uri(url) };
            var busyUntil = DateTime.UtcNow + TimeSpan.FromSeconds(3);
            await Task.WhenAll(Enumerable.Range(0, 8).Select(async worker =>
            {
                for (var i = worker; DateTime.UtcNow < busyUntil; i += 8)
                    (await client.GetAsync($"/users/{i}")).Dispose();
            }));
            Assert.Equal(atStart.Count, Trims(service).Count);

            var afterBurst = await TrimsAsync(service, atLeast: atStart.Count + 1);
            var (before, after) = afterBurst[atStart.Count];
            Assert.True(after < before, $"committed {before} -> {after} bytes");

            // Idle from then on: nothing more to give back.
            await Task.Delay(3 * IdleMemoryTrim.Interval);
            Assert.Equal(atStart.Count + 1, Trims(service).Count);
        }
    }

    static async Task<List<(long Before, long After)>> TrimsAsync(ServiceProcess service, int atLeast)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var trims = Trims(service);
        for (; trims.Count < atLeast; trims = Trims(service))
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"fewer than {atLeast} trims:\n{service.Stdout}");
            await Task.Delay(100);
        }
        return trims;
    }

    static List<(long Before, long After)> Trims(ServiceProcess service) =>
        [.. TrimLine().Matches(service.Stdout).Select(m => (long.Parse(m.Groups[1].Value), long.Parse(m.Groups[2].Value)))];

    [GeneratedRegex(@"Idle: heap committed (\d+) bytes, now (\d+)")]
    private static partial Regex TrimLine();
}
