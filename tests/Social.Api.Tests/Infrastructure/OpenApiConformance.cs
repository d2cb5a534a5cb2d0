using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Social.Api.Tests.Infrastructure;

/// <summary>
/// Checks real responses against the committed OpenAPI document (docs/openapi.json): the status
/// must be one the operation lists, and the body must match that response's schema and come as
/// <c>application/json</c> (api-contract.md 1.1; a charset parameter is fine). Every client
/// the test factories hand out runs every response through it, so the document and the service
/// cannot drift apart for anything the suite exercises.
/// </summary>
public sealed class OpenApiConformance
{
    static readonly EvaluationOptions Evaluation = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };

    readonly JsonObject _document;
    readonly string _definitions;
    readonly ConcurrentDictionary<string, JsonSchema> _schemas = new();

    public OpenApiConformance(string documentJson)
    {
        _document = JsonNode.Parse(documentJson)!.AsObject();
        _definitions = ToJsonSchemaRefs(_document["components"]?["schemas"]?.ToJsonString() ?? "{}");
    }

    public static OpenApiConformance Committed { get; } = new(File.ReadAllText(Repository.PathOf("docs", "openapi.json")));

    /// <summary>Throws when the response contradicts the document; answers for paths the document does not describe pass.</summary>
    public void Check(HttpMethod method, string path, int status, string? mediaType, string body)
    {
        if (FindOperation(method, path) is not ({ } template, { } operation))
            return;
        var where = $"{method.Method} {template} -> {status}";
        if (operation["responses"]?[status.ToString(CultureInfo.InvariantCulture)] is not { } response)
            throw new OpenApiViolationException($"{where}: the document does not list this status");

        if (response["content"]?["application/json"]?["schema"] is not { } schemaNode)
        {
            if (body.Length > 0)
                throw new OpenApiViolationException($"{where}: the document gives no body, the service sent {body}");
            return;
        }

        if (mediaType != "application/json")
            throw new OpenApiViolationException($"{where}: the document gives a JSON body, the service sent Content-Type {mediaType ?? "(none)"}");

        var schema = _schemas.GetOrAdd(where, _ => Build(schemaNode));
        using var instance = JsonDocument.Parse(body);
        var results = schema.Evaluate(instance.RootElement, Evaluation);
        if (!results.IsValid)
        {
            var errors = (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
                .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"));
            throw new OpenApiViolationException($"{where}: body does not match the document: {string.Join("; ", errors)}\n{body}");
        }
    }

    (string Template, JsonObject Operation)? FindOperation(HttpMethod method, string path)
    {
        var segments = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        // Literal segments first, as routing prefers them: /users/me before /users/{id}.
        foreach (var (template, item) in _document["paths"]!.AsObject().OrderBy(p => p.Key.Count(c => c == '{')))
        {
            var parts = template.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == segments.Length
                && parts.Zip(segments).All(p => p.First.StartsWith('{') || p.First == p.Second)
                && item?[method.Method.ToLowerInvariant()] is JsonObject operation)
                return (template, operation);
        }
        return null;
    }

    // One JSON Schema 2020-12 document per response: its schema, with the components as $defs.
    // Each in a registry of its own, so schemas built concurrently cannot collide.
    JsonSchema Build(JsonNode schema)
    {
        var root = JsonNode.Parse(ToJsonSchemaRefs(schema.ToJsonString()))!.AsObject();
        root["$schema"] = "https://json-schema.org/draft/2020-12/schema";
        root["$defs"] = JsonNode.Parse(_definitions);
        return JsonSchema.FromText(root.ToJsonString(), new BuildOptions { SchemaRegistry = new SchemaRegistry() },
            new Uri($"https://social-api.test/responses/{Guid.NewGuid():N}"));
    }

    static string ToJsonSchemaRefs(string json) => json.Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal);
}

public sealed class OpenApiViolationException(string message) : Exception(message);

/// <summary>Runs every response of a test client through <see cref="OpenApiConformance"/>.</summary>
public sealed class OpenApiConformanceHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        // Buffered here, the body stays readable for the test.
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        OpenApiConformance.Committed.Check(request.Method, request.RequestUri!.AbsolutePath, (int)response.StatusCode,
            response.Content.Headers.ContentType?.MediaType, body);
        return response;
    }
}
