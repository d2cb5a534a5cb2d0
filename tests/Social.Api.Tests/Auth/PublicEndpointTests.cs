using System.Net;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Social.Api.Tests.Infrastructure;

namespace Social.Api.Tests.Auth;

/// <summary>The endpoints that need no token: they neither read nor judge the Authorization header.</summary>
public sealed class PublicEndpointTests(TestEnvironment env)
{
    /// <summary>
    /// The public endpoints do not look at the Authorization header, as in the original: a rejected
    /// credential does not stand in the way of a profile, a login or the greeting.
    /// </summary>
    [Fact]
    public async Task PublicEndpointsIgnoreTheAuthorizationHeader()
    {
        var user = await env.Api.CreateUserAsync();
        foreach (var (name, header, _) in ProtectedEndpointTests.Credentials())
        {
            if (header(user.Id) is not { } value)
                continue;
            var client = env.Api.CreateClient();
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", value);

            var profile = await client.GetAsync($"/users/{user.Id}");
            var hello = await client.GetAsync("/");
            var login = await client.LoginAsync(user.Email, user.Password);

            Assert.True(HttpStatusCode.OK == profile.StatusCode, $"GET /users/{{id}} with {name}: {profile.StatusCode}");
            Assert.True(HttpStatusCode.OK == hello.StatusCode, $"GET / with {name}: {hello.StatusCode}");
            Assert.True(HttpStatusCode.OK == login.StatusCode, $"POST /login with {name}: {login.StatusCode}");
        }
    }

    /// <summary>
    /// A token sent to a public endpoint is not even read (no bearer handler runs there, which
    /// keeps those endpoints cheap); sent to a protected one, it is. The test counts how often the
    /// bearer handler reads a request's token.
    /// </summary>
    [Fact]
    public async Task OnlyProtectedEndpointsCheckTheToken()
    {
        var user = await env.Api.CreateUserAsync();
        var reads = 0;
        await using var api = env.Api.WithWebHostBuilder(web => web.ConfigureServices(services =>
            services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, options =>
            {
                var service = options.Events;
                options.Events = new JwtBearerEvents
                {
                    OnMessageReceived = context => { Interlocked.Increment(ref reads); return service.MessageReceived(context); },
                    OnTokenValidated = service.TokenValidated,
                    OnAuthenticationFailed = service.AuthenticationFailed,
                    OnChallenge = service.Challenge,
                    OnForbidden = service.Forbidden,
                };
            })));
        var client = api.CreateClient();
        await Eventually.HoldsAsync(() => Eventually.AnswersOkAsync(client, "/health/ready"), "the second host ready");
        client.DefaultRequestHeaders.Authorization = new("Bearer", TestTokens.ForUser(user.Id));

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/users/{user.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
        Assert.Equal(0, reads);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/posts/?limit=1")).StatusCode);
        Assert.Equal(1, reads);
    }
}
