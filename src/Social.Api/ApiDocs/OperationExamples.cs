using System.Text.Json;
using System.Text.Json.Nodes;
using Social.Api.Infrastructure;

namespace Social.Api.ApiDocs;

/// <summary>An example request body and success response for one operation in the OpenAPI document.</summary>
public sealed record OperationExamples(object? Request, object? Response)
{
    public JsonNode? RequestJson => ToJson(Request);
    public JsonNode? ResponseJson => ToJson(Response);

    static JsonNode? ToJson(object? value) =>
        value switch
        {
            null => null,
            string form => JsonNode.Parse(form), // already JSON (used for the login form)
            _ => JsonSerializer.SerializeToNode(value, value.GetType(), AppJsonContext.Default.Options),
        };
}

/// <summary>An example body of one error answer, for operations whose success has no body to show.</summary>
public sealed record ErrorExample(int Status, ErrorResponse Body)
{
    public JsonNode Json => JsonSerializer.SerializeToNode(Body, AppJsonContext.Default.ErrorResponse)!;
}

public static class OperationExamplesExtensions
{
    public static RouteHandlerBuilder WithExamples(this RouteHandlerBuilder builder, object? request = null, object? response = null) =>
        builder.WithMetadata(new OperationExamples(request, response));

    public static RouteHandlerBuilder WithErrorExample(this RouteHandlerBuilder builder, int status, string detail) =>
        builder.WithMetadata(new ErrorExample(status, new ErrorResponse(detail)));
}
