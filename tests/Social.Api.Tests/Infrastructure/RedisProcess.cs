using System.Diagnostics;
using System.Net.Sockets;

namespace Social.Api.Tests.Infrastructure;

/// <summary>Debian's redis-server on a free loopback port, without persistence, stopped when disposed.</summary>
public sealed class RedisProcess : IDisposable
{
    public const string Program = "/usr/bin/redis-server";

    Process _process;

    RedisProcess(int port) => (Port, _process) = (port, Start(port));

    public int Port { get; }

    public string Url => $"redis://127.0.0.1:{Port}";

    /// <summary>Skips the test (fails it in CI) without Debian's redis-server.</summary>
    public static void Require(string test) => ExternalProcess.Require([File.Exists(Program) ? null : "Debian's redis-server package"], test);

    public static async Task<RedisProcess> StartAsync()
    {
        var redis = new RedisProcess(ServiceProcess.FreePort());
        await redis.WaitUntilAnsweringAsync();
        return redis;
    }

    /// <summary>Kills it, as a crash would.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    /// <summary>Stops it answering while its connections stay open, as a hung server does (SIGSTOP); <see cref="Resume"/> undoes it.</summary>
    public void Pause() => Signal("STOP");

    public void Resume() => Signal("CONT");

    void Signal(string signal) => Process.Start("kill", ["-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();

    /// <summary>Starts it again on the same port, empty.</summary>
    public async Task RestartAsync()
    {
        _process.Dispose();
        _process = Start(Port);
        await WaitUntilAnsweringAsync();
    }

    async Task WaitUntilAnsweringAsync() => await Eventually.HoldsAsync(async () =>
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }, "redis-server answering");

    static Process Start(int port) => Process.Start(new ProcessStartInfo(Program,
        ["--bind", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--save", "", "--appendonly", "no"])
    { RedirectStandardOutput = true, RedirectStandardError = true })!;

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Resume();
            Kill();
        }
        _process.Dispose();
    }
}
