using System.Net;
using Social.Api.Tests.Infrastructure;

namespace Social.Api.Tests.Hardening;

/// <summary>T34: bcrypt work is bounded; a login flood beyond it is turned away with 429, not queued without end.</summary>
public sealed class HashingCapacityTests(TestEnvironment env)
{
    [Fact]
    public async Task LoginsBeyondTheHashingQueueAre429WithRetryAfter()
    {
        await using var api = await ApiFactory.CreateAsync(env.Cluster, new Dictionary<string, string?>
        {
            ["BCRYPT_COST"] = "10",
            ["HASHING_CONCURRENCY"] = "1",
            ["HASHING_QUEUE"] = "1",
        });
        var user = await api.CreateUserAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => api.CreateClient().LoginAsync(user.Email)));

        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(refused);
        Assert.All(refused, r => Assert.NotNull(r.Headers.RetryAfter));
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
    }
}
