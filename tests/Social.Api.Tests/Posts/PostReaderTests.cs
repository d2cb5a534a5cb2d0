using Microsoft.Extensions.DependencyInjection;
using Social.Api.Posts;
using Social.Api.Tests.Infrastructure;

namespace Social.Api.Tests.Posts;

/// <summary>The reader that answers <c>GET /posts/{id}</c>, on an instance of the test's own.</summary>
public sealed class PostReaderTests(TestEnvironment env)
{
    /// <summary>
    /// A stopping instance still answers the reads of single posts it has queued, and one asked for
    /// while it stops: none is cancelled or left waiting.
    /// </summary>
    [Fact]
    public async Task ReadsQueuedWhenTheServiceStopsAreStillAnswered()
    {
        await using var api = await ApiFactory.CreateAsync(env.Cluster);
        var user = await api.CreateUserAsync();
        var ids = new List<int>();
        for (var i = 0; i < 4; i++)
            ids.Add((await user.CreatePostAsync())["id"]!.GetValue<int>());
        var reader = api.Services.GetRequiredService<PostReader>();

        await using var locked = await LockedPosts.TakeAsync(api);
        var reads = new List<(int Id, Task<PostWithVotes?> Read)> { (ids[0], reader.ReadAsync(ids[0], CancellationToken.None)) };
        await locked.UntilQueriesWaitAsync(); // the first read is in flight, the next ones queue behind it
        reads.AddRange(ids.Skip(1).Select(id => (id, reader.ReadAsync(id, CancellationToken.None))));
        var stopping = reader.StopAsync(CancellationToken.None);
        reads.Add((ids[^1], reader.ReadAsync(ids[^1], CancellationToken.None)));
        await locked.ReleaseAsync();

        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
        foreach (var (id, read) in reads)
            Assert.Equal(id, (await read.WaitAsync(TimeSpan.FromSeconds(30)))!.Post.Id);
    }
}
