using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Social.Api.Tests.Infrastructure;

namespace Social.Api.Tests.Observability;

/// <summary>
/// With the standard OTEL_EXPORTER_OTLP_* variables, traces (continuing the caller's traceparent,
/// with the database calls inside) and metrics go to the collector; the receiver here stands in for
/// one and keeps what is posted to it.
/// </summary>
public sealed class OtlpExportTests(TestEnvironment env)
{
    [Fact]
    public async Task TracesAndMetricsGoToTheConfiguredCollector()
    {
        using var collector = new Collector();
        var started = await ServiceProcess.StartOnNewDatabaseAsync(env, "otlp", new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Url,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_SERVICE_NAME"] = "social-api-under-test",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
        });
        using var service = started.Service;
        using var client = new HttpClient { BaseAddress = new Uri(started.Url) };

        using var request = new HttpRequestMessage(HttpMethod.Get, "/users/1");
        request.Headers.Add("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(request)).StatusCode);

        var traceId = Convert.FromHexString("4bf92f3577b34da6a3ce929d0e0e4736");
        await Eventually.HoldsAsync(() => collector.Received("/v1/traces").Any(body => body.AsSpan().IndexOf(traceId) >= 0),
            "a span of the caller's trace at the collector", TimeSpan.FromSeconds(20));
        var spans = collector.Received("/v1/traces").Where(body => body.AsSpan().IndexOf(traceId) >= 0).ToList();
        Assert.Contains(spans, body => Contains(body, "social-api-under-test"));
        Assert.Contains(spans, body => Contains(body, "Npgsql")); // the database call, a child span
        await Eventually.HoldsAsync(() => collector.Received("/v1/metrics").Any(body => Contains(body, "social.logins")),
            "the service's metrics at the collector", TimeSpan.FromSeconds(20));
    }

    static bool Contains(byte[] body, string text) => body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;

    /// <summary>Accepts OTLP/HTTP posts on a loopback port and keeps their bodies by path.</summary>
    sealed class Collector : IDisposable
    {
        readonly HttpListener _listener = new();
        readonly ConcurrentQueue<(string Path, byte[] Body)> _received = new();

        public Collector()
        {
            Url = $"http://127.0.0.1:{ServiceProcess.FreePort()}";
            _listener.Prefixes.Add(Url + "/");
            _listener.Start();
            _ = Task.Run(ReceiveAsync);
        }

        public string Url { get; }

        public IEnumerable<byte[]> Received(string path) => _received.Where(r => r.Path == path).Select(r => r.Body);

        async Task ReceiveAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                _received.Enqueue((context.Request.Url!.AbsolutePath, body.ToArray()));
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
                context.Response.Close();
            }
        }

        public void Dispose() => _listener.Close();
    }
}
