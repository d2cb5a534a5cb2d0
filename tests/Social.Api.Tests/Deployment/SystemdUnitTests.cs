using Social.Api.Infrastructure;
using Social.Api.Tests.Infrastructure;

namespace Social.Api.Tests.Deployment;

/// <summary>deploy/social-api.service: systemd accepts every line of it (these machines do not boot systemd, so it is verified, not run).</summary>
public sealed class SystemdUnitTests
{
    const string SystemdAnalyze = "/usr/bin/systemd-analyze";

    [Fact]
    public async Task TheUnitPassesSystemdAnalyzeVerify()
    {
        ExternalProcess.Require([File.Exists(SystemdAnalyze) ? null : "systemd-analyze (Debian's systemd package)"], "the unit check");
        // systemd-analyze reports unknown or malformed settings as warnings and still exits 0.
        var (exitCode, output, error) = await ExternalProcess.RunAsync(SystemdAnalyze, ["verify", Repository.PathOf("deploy", "social-api.service")]);

        Assert.Equal(0, exitCode);
        Assert.Equal("", (output + error).Trim());
    }

    [Fact]
    public void TheUnitIsHardenedAndOutlastsTheServicesDrain()
    {
        var unit = File.ReadAllLines(Repository.PathOf("deploy", "social-api.service"));
        foreach (var line in new[] { "DynamicUser=yes", "ProtectSystem=strict", "NoNewPrivileges=yes", "Restart=on-failure", "RestartPreventExitStatus=2" })
            Assert.Contains(line, unit);
        Assert.Contains(unit, line => line.StartsWith("EnvironmentFile=", StringComparison.Ordinal));
        // The stop timeout must outlast SHUTDOWN_TIMEOUT_SECONDS' default, or systemd kills requests still finishing.
        var stop = int.Parse(unit.Single(line => line.StartsWith("TimeoutStopSec=", StringComparison.Ordinal))["TimeoutStopSec=".Length..],
            System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(stop > Settings.DefaultShutdownTimeoutSeconds, $"TimeoutStopSec={stop} must exceed the {Settings.DefaultShutdownTimeoutSeconds} s drain");
    }
}
