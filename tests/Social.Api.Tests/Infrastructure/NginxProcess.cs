using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Social.Api.Tests.Infrastructure;

/// <summary>
/// Debian's nginx with the repository's site (deploy/nginx/social-api.conf), its upstream servers
/// and port rewritten for loopback, in a folder of its own. The access log names the instance that
/// answered each request (<c>$upstream_addr</c>) and when (<c>$msec</c>).
/// </summary>
public sealed class NginxProcess : IAsyncDisposable
{
    public const string Program = "/usr/sbin/nginx";

    readonly Process _process;

    NginxProcess(Process process, string folder, string url) => (_process, Folder, Url) = (process, folder, url);

    public string Url { get; }

    public string Folder { get; }

    /// <summary>The rewritten site, holding the upstream block.</summary>
    public string Site => Path.Combine(Folder, "site.conf");

    public string PidFile => Path.Combine(Folder, "nginx.pid");

    /// <summary>How to run nginx on this configuration (for <c>-t</c> and <c>-s reload</c>).</summary>
    public string[] Command => [Program, .. ArgumentsFor(Folder)];

    public IEnumerable<string> AccessLog => File.ReadLines(Path.Combine(Folder, "access.log"));

    /// <summary>Skips the test (fails it in CI) without Debian's nginx.</summary>
    public static void Require(string test) => ExternalProcess.Require([File.Exists(Program) ? null : "Debian's nginx package"], test);

    public static Task<NginxProcess> StartAsync(params int[] servicePorts) => StartAsync(servicePorts, http2: false);

    /// <summary>
    /// With <paramref name="http2"/> nginx speaks HTTP/2 to clients (cleartext, prior knowledge:
    /// <see cref="Http2Client"/>), as it does over TLS with the site's TLS block.
    /// </summary>
    public static async Task<NginxProcess> StartAsync(int[] servicePorts, bool http2)
    {
        var folder = Directory.CreateTempSubdirectory("social-nginx-").FullName;
        // Workers run as nobody when CI runs as root: they must reach the temporary files.
        File.SetUnixFileMode(folder, (UnixFileMode)0b111_111_111);
        var port = ServiceProcess.FreePort();
        var servers = string.Join("\n    ", servicePorts.Select(servicePort => $"server 127.0.0.1:{servicePort};"));
        var site = (await File.ReadAllTextAsync(Repository.PathOf("deploy", "nginx", "social-api.conf")))
            .Replace("server 127.0.0.1:8000;", servers, StringComparison.Ordinal)
            .Replace("listen 80;", $"listen 127.0.0.1:{port}{(http2 ? " http2" : "")};", StringComparison.Ordinal)
            .Replace("listen [::]:80;", "", StringComparison.Ordinal);
        await File.WriteAllTextAsync(Path.Combine(folder, "site.conf"), site);
        await File.WriteAllTextAsync(Path.Combine(folder, "nginx.conf"), $$"""
            daemon off;
            pid {{folder}}/nginx.pid;
            error_log {{folder}}/error.log;
            events {}
            http {
                log_format upstream '$remote_addr [$msec] "$request" $status upstream=$upstream_addr upstream_status=$upstream_status request_id=$request_id';
                access_log {{folder}}/access.log upstream;
                client_body_temp_path {{folder}}/body;
                proxy_temp_path {{folder}}/proxy;
                fastcgi_temp_path {{folder}}/fastcgi;
                uwsgi_temp_path {{folder}}/uwsgi;
                scgi_temp_path {{folder}}/scgi;
                include {{folder}}/site.conf;
            }
            """);
        var nginx = new NginxProcess(Start(folder), folder, $"http://127.0.0.1:{port}");
        using var client = http2 ? Http2Client() : new HttpClient();
        client.Timeout = TimeSpan.FromSeconds(2);
        await Eventually.HoldsAsync(async () =>
        {
            if (nginx._process.HasExited)
                Assert.Fail($"nginx exited with {nginx._process.ExitCode}: {await nginx._process.StandardError.ReadToEndAsync()}");
            return await Eventually.AnswersOkAsync(client, nginx.Url + "/health/ready");
        }, "nginx answering");
        return nginx;
    }

    /// <summary>A client speaking HTTP/2 from its first byte, as nginx's cleartext HTTP/2 listener requires.</summary>
    public static HttpClient Http2Client(string? baseAddress = null) => new()
    {
        BaseAddress = baseAddress is null ? null : new Uri(baseAddress),
        DefaultRequestVersion = System.Net.HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    /// <summary>A client whose connections come from <paramref name="address"/> (any of 127.0.0.0/8), so nginx and the service see that client address.</summary>
    public static HttpClient ClientFrom(string address, string url) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    { BaseAddress = new Uri(url) };

    static string[] ArgumentsFor(string folder) => ["-p", folder, "-e", Path.Combine(folder, "error.log"), "-c", Path.Combine(folder, "nginx.conf")];

    static Process Start(string folder) =>
        Process.Start(new ProcessStartInfo(Program, ArgumentsFor(folder)) { RedirectStandardOutput = true, RedirectStandardError = true })!;

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Directory.Delete(Folder, recursive: true);
    }
}
