using System.Globalization;
using System.Text;
using System.Text.Json;
using CsCheck;
using Social.Api.Tests.Infrastructure;

namespace Social.Api.Tests.Hardening;

/// <summary>
/// T31: property-based fuzzing of every JSON endpoint (the account's too: no body the fuzzer
/// makes carries the user's password, so they only ever fail). Whatever the body — odd types, hostile
/// strings, broken or deep JSON — the answer is never a 5xx.
/// </summary>
public sealed class FuzzTests(TestEnvironment env)
{
    const int Samples = 150;
    static readonly string[] Fields = ["title", "content", "published", "email", "password", "post_id", "dir", "owner_id", "id", "current_password", "new_password"];

    static readonly Gen<string> HostileString = Gen.OneOf(
        "", "\\u0000", "a\\u0000b", "\\ud800", "\\udc00x", "\\ud83d\\ude80", "x@y.z", "a@b@c", "%_\\\\", "' OR 1=1--",
        "<script>", "\\r\\n", new string('x', 2000), "ü@bücher.de", "2147483648", "-1");

    static readonly Gen<string> Scalar = Gen.OneOf(
        Gen.OneOf("null", "true", "false", "0", "1", "-1", "2", "1.5", "1e999", "-0", "99999999999999999999", "2147483648"),
        Gen.Int.Select(i => i.ToString(CultureInfo.InvariantCulture)),
        Gen.Double.Select(d => double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) : "0"),
        Gen.String.Select(s => JsonSerializer.Serialize(s)),
        HostileString.Select(s => $"\"{s}\""));

    static Gen<string> Value(int depth) => depth == 0
        ? Scalar
        : Gen.Frequency(
            (4, Scalar),
            (1, Value(depth - 1).Array[0, 3].Select(items => $"[{string.Join(",", items)}]")),
            (1, Gen.Select(Gen.OneOf(Fields), Value(depth - 1)).Array[0, 3].Select(Object)));

    static string Object((string Key, string Value)[] members) =>
        "{" + string.Join(",", members.Select(m => $"{JsonSerializer.Serialize(m.Key)}:{m.Value}")) + "}";

    static readonly Gen<string> Body = Gen.Frequency(
        (8, Gen.Select(Gen.OneOf(Fields), Value(2)).Array[0, 6].Select(Object)),
        (1, Value(2)),
        (1, Gen.OneOf(
            "", "{", "{\"title\":", "[", "}", "{\"title\":\"a\",\"title\":\"b\",\"content\":\"c\"}",
            new string('[', 10_000) + new string(']', 10_000), "{\"a\":" + new string('[', 100) + new string(']', 100) + "}",
            "\"\\ud800\"", "nul", "{'title':'single quotes'}", "{\"title\":\"t\",\"content\":\"c\"} trailing")));

    public static TheoryData<string, string> JsonEndpoints => new()
    {
        { "POST", "/users/" },
        { "POST", "/posts/" },
        { "PUT", "/posts/{id}" },
        { "POST", "/vote/" },
        { "PUT", "/users/me/password" },
        { "DELETE", "/users/me" },
    };

    [Theory]
    [MemberData(nameof(JsonEndpoints))]
    public async Task NoBodyProducesA5xx(string method, string path)
    {
        var user = await env.Api.CreateUserAsync();
        var postId = (await user.CreatePostAsync())["id"]!.ToJsonString();
        var target = path.Replace("{id}", postId, StringComparison.Ordinal);

        await Body.SampleAsync(async body =>
        {
            var request = new HttpRequestMessage(new HttpMethod(method), target)
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            };
            var response = await user.Client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();

            Assert.True((int)response.StatusCode < 500, $"{method} {target} {body} -> {(int)response.StatusCode} {text}");
            Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        }, iter: Samples, threads: 1);
    }
}
