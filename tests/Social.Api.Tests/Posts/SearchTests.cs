using System.Net;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.ApiClient;
using static Social.Api.Tests.Posts.ListTests;

namespace Social.Api.Tests.Posts;

/// <summary><c>search</c> of <c>GET /posts/</c>: a literal, case-sensitive substring of the title.</summary>
public sealed class SearchTests(TestEnvironment env)
{
    [Fact]
    public async Task SearchIsACaseSensitiveSubstringOfTheTitleOnly()
    {
        var user = await env.Api.CreateUserAsync();
        var tag = UniqueText();
        var hello = (await user.CreatePostAsync($"Hello {tag}"))["id"]!.GetValue<int>();
        await user.CreatePostAsync("unrelated", content: $"hello {tag}");

        Assert.Equal([hello], Ids(await ListAsync(user, $"?search=Hello%20{tag}")));
        Assert.Empty(await ListAsync(user, $"?search=hello%20{tag}"));
        Assert.Equal([hello], Ids(await ListAsync(user, $"?search=llo%20{tag[..10]}")));
    }

    /// <summary>Each decoy is what the original's unescaped LIKE would also have matched.</summary>
    [Theory]
    [InlineData("100% real", "100 percent real")]
    [InlineData("a_b", "aQb")]
    [InlineData(@"a\b", "ab")]
    [InlineData("it's -- ; [a-z] .*", "its a-z")]
    [InlineData("Grüße 🚀", "Grusse")]
    public async Task SearchTextIsMatchedLiterally(string title, string decoy)
    {
        var user = await env.Api.CreateUserAsync();
        var tag = UniqueText();
        var match = (await user.CreatePostAsync($"{tag} {title}"))["id"]!.GetValue<int>();
        await user.CreatePostAsync($"{tag} {decoy}");

        var items = await ListAsync(user, $"?search={Uri.EscapeDataString($"{tag} {title}")}");

        Assert.Equal([match], Ids(items));
    }

    [Fact]
    public async Task APercentSignAloneMatchesOnlyTitlesContainingIt()
    {
        var user = await env.Api.CreateUserAsync();
        var tag = UniqueText();
        var match = (await user.CreatePostAsync($"{tag} 50%"))["id"]!.GetValue<int>();
        await user.CreatePostAsync($"{tag} fifty");

        var items = await ListAsync(user, $"?search={Uri.EscapeDataString($"{tag} ")}&limit=100");
        var percent = await ListAsync(user, "?search=%25&limit=100");

        Assert.Equal(2, items.Count);
        Assert.Contains(match, Ids(percent));
        Assert.All(percent, i => Assert.Contains("%", i!["Post"]!["title"]!.GetValue<string>(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task SearchWithNulIs422()
    {
        var user = await env.Api.CreateUserAsync();

        var response = await user.Client.GetAsync("/posts/?search=a%00b");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
    }
}
