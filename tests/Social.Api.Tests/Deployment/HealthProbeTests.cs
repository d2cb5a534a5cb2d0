using Microsoft.Extensions.Configuration;
using Social.Api.Infrastructure;
using Social.Api.Tests.Infrastructure;

namespace Social.Api.Tests.Deployment;

/// <summary>
/// <c>Social.Api healthcheck</c>, the container image's HEALTHCHECK: it asks /health/live where the
/// service listens, needs no other setting, and its exit code says whether the service answered.
/// </summary>
public sealed class HealthProbeTests(TestEnvironment env)
{
    [Theory]
    [InlineData("http://+:8000", null, "http://127.0.0.1:8000/")]
    [InlineData("http://*:8001;http://[::]:8002", null, "http://127.0.0.1:8001/")]
    [InlineData("http://0.0.0.0:8003", "8080", "http://127.0.0.1:8003/")]
    [InlineData("http://[::]:8004", null, "http://[::1]:8004/")]
    [InlineData("http://localhost:8005", null, "http://localhost:8005/")]
    [InlineData(null, "8080", "http://127.0.0.1:8080/")]
    [InlineData(null, "", "http://127.0.0.1:8000/")] // the image clears runtime-deps' ASPNETCORE_HTTP_PORTS
    [InlineData(null, null, "http://127.0.0.1:8000/")]
    public void TheProbeAsksWhereTheServiceListens(string? urls, string? httpPorts, string expected)
    {
        var config = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["urls"] = urls, ["http_ports"] = httpPorts })
            .Build();

        Assert.Equal(new Uri(expected), HealthProbe.LocalAddress(config));
    }

    [Fact]
    public async Task TheProbeExitsZeroWhileTheServiceAnswersAndOneWhenItDoesNot()
    {
        var (service, url, _) = await ServiceProcess.StartOnNewDatabaseAsync(env, "probe");
        // Only the address: the probe needs neither the database nor SECRET_KEY.
        var address = new Dictionary<string, string> { ["ASPNETCORE_URLS"] = url };
        using (service)
        {
            using var healthy = ServiceProcess.Start(AppContext.BaseDirectory, address, "healthcheck");
            Assert.Equal(0, await healthy.ExitCodeAsync());

            service.Terminate();
            Assert.Equal(0, await service.ExitCodeAsync());
        }

        using var unhealthy = ServiceProcess.Start(AppContext.BaseDirectory, address, "healthcheck");
        Assert.Equal(1, await unhealthy.ExitCodeAsync());
        Assert.Contains($"unhealthy: {url}/health/live", unhealthy.Stderr, StringComparison.Ordinal);
    }
}
