using System.Collections.Concurrent;
using System.Text;

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
