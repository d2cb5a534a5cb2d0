using System.Text;
using System.Text.Json;

namespace Social.Api.Infrastructure.Validation;

/// <summary>Marks an endpoint whose body is JSON, of the given contract type; added by <see cref="JsonBody{T}"/>.</summary>
public sealed record JsonBodyMetadata(Type ContractType);

/// <summary>What <see cref="JsonBodySyntax"/> found in the request body.</summary>
public sealed class ParsedJsonBody(JsonDocument? document, bool isJson)
{
    /// <summary>The parsed body; null when the request had none.</summary>
    public JsonDocument? Document { get; } = document;

    /// <summary>False when the content type says the body is not JSON (it is then not read).</summary>
    public bool IsJson { get; } = isJson;
}

/// <summary>
/// Reads and parses JSON bodies before authentication, because the original answers a JSON
/// syntax error with 422 (and bad UTF-8 with 400) even when the caller has no token. The values
/// themselves are validated later, by <see cref="JsonBody{T}"/>, after authentication.
/// </summary>
public sealed class JsonBodySyntax(RequestDelegate next)
{
    // Deep nesting is refused like any other syntax error; the contract's bodies are flat.
    static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = 32, AllowDuplicateProperties = false };

    // Endpoints without a JSON body pass straight through, without an async frame of their own:
    // this runs on every request.
    public Task InvokeAsync(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<JsonBodyMetadata>() is null ? next(context) : ReadAsync(context);

    async Task ReadAsync(HttpContext context)
    {
        if (!IsJsonContentType(context.Request.ContentType))
        {
            context.Features.Set(new ParsedJsonBody(null, isJson: false));
            await next(context);
            return;
        }

        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);

        if (!System.Text.Unicode.Utf8.IsValid(bytes.Span))
        {
            await context.Response.WriteErrorAsync(StatusCodes.Status400BadRequest, ErrorHandling.UnreadableBody);
            return;
        }

        JsonDocument? document = null;
        if (!bytes.IsEmpty)
        {
            try
            {
                document = JsonDocument.Parse(bytes, ParseOptions);
            }
            catch (JsonException e)
            {
                var error = new ValidationError(["body", Offset(bytes.Span, e)], DescribeSyntaxError(e), "value_error.jsondecode");
                await Problems.Unprocessable([error]).ExecuteAsync(context);
                return;
            }
        }

        using (document)
        {
            context.Features.Set(new ParsedJsonBody(document, isJson: true));
            await next(context);
        }
    }

    // No Content-Type is read as JSON, as the original does; so is any application/*+json.
    static bool IsJsonContentType(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
            return true;
        var mediaType = contentType.Split(';', 2)[0].Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase)
                && mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }

    // The parser reports a line and a byte within it; the original reports a character offset.
    static long Offset(ReadOnlySpan<byte> body, JsonException e)
    {
        long line = e.LineNumber ?? 0, offset = 0;
        for (var i = 0; i < body.Length && line > 0; i++)
        {
            if (body[i] == (byte)'\n')
            {
                line--;
                offset = i + 1;
            }
        }
        var bytesInLine = Math.Min(body.Length - offset, e.BytePositionInLine ?? 0);
        return Encoding.UTF8.GetCharCount(body.Slice((int)offset, (int)bytesInLine)) + Encoding.UTF8.GetCharCount(body[..(int)offset]);
    }

    // System.Text.Json appends its own position ("LineNumber: 0 | BytePositionInLine: 3."); loc has it already.
    static string DescribeSyntaxError(JsonException e)
    {
        var message = e.Message;
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut < 0)
            cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return "Invalid JSON: " + (cut > 0 ? message[..cut] : message);
    }
}
