using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;

// `ceiling.dll bcrypt SECONDS`: the login ceiling, BCrypt.Net-Next (the service's bcrypt) verifying
// a cost-12 hash on one thread per core for SECONDS; prints verifies per second.
if (args.Length > 0 && args[0] == "bcrypt")
{
    var seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 10;
    var hash = BCrypt.Net.BCrypt.HashPassword("password123", BCrypt.Net.BCrypt.GenerateSalt(12, 'b'));
    long total = 0;
    var clock = Stopwatch.StartNew();
    var threads = Enumerable.Range(0, Environment.ProcessorCount).Select(_ => new Thread(() =>
    {
        long n = 0;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            if (!BCrypt.Net.BCrypt.Verify("password123", hash)) throw new InvalidOperationException("bcrypt verify failed");
            n++;
        }
        Interlocked.Add(ref total, n);
    })).ToList();
    threads.ForEach(t => t.Start());
    threads.ForEach(t => t.Join());
    Console.WriteLine((total / seconds).ToString("F2", CultureInfo.InvariantCulture));
    return;
}

// GET /json/{bytes}: a JSON body of exactly that many bytes, built once. What Kestrel alone can
// answer is the ceiling each endpoint of the service is compared with.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();
var bodies = new ConcurrentDictionary<int, byte[]>();

app.MapGet("/json/{bytes:int}", (int bytes, HttpResponse response) =>
{
    var body = bodies.GetOrAdd(bytes, size => Encoding.UTF8.GetBytes("{\"data\":\"" + new string('x', Math.Max(0, size - 11)) + "\"}"));
    response.ContentType = "application/json";
    response.ContentLength = body.Length;
    return response.Body.WriteAsync(body).AsTask();
});
app.Run();
