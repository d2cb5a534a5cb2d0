using System.Net;
using System.Net.Http.Json;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.ApiClient;
using static Social.Api.Tests.Posts.ListTests;

namespace Social.Api.Tests.Posts;

/// <summary>
/// PRIVATE_DRAFTS: off (the default, the original's behaviour) every authenticated user reads every
/// post; on, an unpublished post is its owner's alone, and anyone else is answered as if it did not exist.
/// </summary>
public sealed class DraftTests(TestEnvironment env)
{
    static readonly string[] Lists = ["", "&sort=new", "&sort=top", "&sort=top&t=day", "&sort=hot"];

    [Fact]
    public async Task WithTheSettingOnADraftIsHiddenFromEveryoneButItsOwner()
    {
        await using var api = await ApiFactory.CreateAsync(env.Cluster, new Dictionary<string, string?> { ["PRIVATE_DRAFTS"] = "true" });
        var (owner, other) = (await api.CreateUserAsync(), await api.CreateUserAsync());
        var tag = UniqueText("draft");
        var published = (await owner.CreatePostAsync(tag))["id"]!.GetValue<int>();
        var draft = (await owner.CreatePostAsync(tag, published: false))["id"]!.GetValue<int>();
        await owner.VoteAsync(draft, 1);

        foreach (var list in Lists)
        {
            Assert.Equal([published], Ids(await ListAsync(other, $"?search={tag}{list}")).Order());
            Assert.Equal([published, draft], Ids(await ListAsync(owner, $"?search={tag}{list}")).Order());
            Assert.Equal([published], Ids((await (await other.Client.GetAsync($"/users/{owner.Id}/posts?x=1{list}")).JsonAsync()).AsArray()));
            Assert.Equal([published, draft], Ids((await (await owner.Client.GetAsync($"/users/{owner.Id}/posts?x=1{list}")).JsonAsync()).AsArray()).Order());
        }

        var read = await other.Client.GetAsync($"/posts/{draft}");
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.Equal($"post with id: {draft} was not found", await read.DetailAsync());
        Assert.Equal(HttpStatusCode.OK, (await owner.Client.GetAsync($"/posts/{draft}")).StatusCode);
        foreach (var dir in new[] { 1, 0 })
        {
            var vote = await other.VoteAsync(draft, dir);
            Assert.Equal(HttpStatusCode.NotFound, vote.StatusCode);
            Assert.Equal($"Post with id: {draft} does not exist", await vote.DetailAsync());
        }
        Assert.Equal(HttpStatusCode.NotFound, (await other.Client.PutAsJsonAsync($"/posts/{draft}", new { title = "t", content = "c" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.Client.DeleteAsync($"/posts/{draft}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await other.Client.DeleteAsync($"/posts/{published}")).StatusCode);
        Assert.Equal(1, (await (await owner.Client.GetAsync($"/posts/{draft}")).JsonAsync())["votes"]!.GetValue<int>());

        // Published again, it is everyone's.
        Assert.Equal(HttpStatusCode.OK, (await owner.Client.PutAsJsonAsync($"/posts/{draft}", new { title = tag, content = "c" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await other.Client.GetAsync($"/posts/{draft}")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await other.VoteAsync(draft, 1)).StatusCode);
    }

    [Fact]
    public async Task WithTheSettingOffEveryoneReadsAndVotesOnDraftsAsInTheOriginal()
    {
        var (owner, other) = (await env.Api.CreateUserAsync(), await env.Api.CreateUserAsync());
        var tag = UniqueText("open-draft");
        var draft = (await owner.CreatePostAsync(tag, published: false))["id"]!.GetValue<int>();

        foreach (var list in Lists)
            Assert.Equal([draft], Ids(await ListAsync(other, $"?search={tag}{list}")));
        Assert.Equal([draft], Ids((await (await other.Client.GetAsync($"/users/{owner.Id}/posts")).JsonAsync()).AsArray()));
        var read = await (await other.Client.GetAsync($"/posts/{draft}")).JsonAsync();
        Assert.False(read["Post"]!["published"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.Created, (await other.VoteAsync(draft, 1)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await other.Client.DeleteAsync($"/posts/{draft}")).StatusCode);
    }
}
