using System.Net;

namespace Social.Api.Tests.Infrastructure;

/// <summary>Waiting for what happens asynchronously (a start, a log line, a notification), polled every 100 ms.</summary>
public static class Eventually
{
    static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Returns once <paramref name="condition"/> holds; fails, saying <paramref name="what"/>, when it has not within the timeout.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, Func<string> what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (!await condition())
        {
            if (DateTime.UtcNow >= deadline)
                Assert.Fail($"Not within {(timeout ?? DefaultTimeout).TotalSeconds} s: {what()}");
            await Task.Delay(100);
        }
    }

    public static Task HoldsAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        HoldsAsync(() => Task.FromResult(condition()), () => what, timeout);

    public static Task HoldsAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        HoldsAsync(condition, () => what, timeout);

    /// <summary>Whether GET <paramref name="url"/> answers 200 now; a refused or timed-out connection is a no.</summary>
    public static async Task<bool> AnswersOkAsync(HttpClient client, string url)
    {
        try
        {
            return (await client.GetAsync(url)).StatusCode == HttpStatusCode.OK;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }
}
