using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Social.Api.Auth;
using Social.Api.Infrastructure;
using Social.Api.Infrastructure.Validation;
using Social.Api.Posts;

namespace Social.Api.ApiDocs;

/// <summary>
/// Describes what the generator cannot see: inputs that parse themselves (JSON bodies, the login
/// form, list query, path ids) — so the document shows the real wire format — plus the security
/// requirement of protected operations, response descriptions and examples.
/// </summary>
sealed class OperationDocs : IOpenApiOperationTransformer
{
    static readonly Dictionary<int, string> Descriptions = new()
    {
        [200] = "OK",
        [201] = "Created",
        [204] = "Done; no body",
        [400] = "The body is not valid UTF-8",
        [401] = "Missing or invalid bearer token (`WWW-Authenticate: Bearer`)",
        [403] = "Not allowed: bad credentials (login) or someone else's post",
        [404] = "No such item",
        [409] = "Conflict with the current state",
        [413] = "Request body larger than MAX_BODY_BYTES",
        [422] = "Invalid input: every problem listed with its location",
        [429] = "Too many requests from this client (see `Retry-After`)",
        [503] = "Database temporarily unavailable; retry after `Retry-After` seconds",
    };

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var parameterTypes = metadata.OfType<MethodInfo>().FirstOrDefault()?.GetParameters().Select(p => p.ParameterType).ToList() ?? [];

        if (parameterTypes.Contains(typeof(RouteId)))
            DescribeRouteId(operation);
        if (parameterTypes.Contains(typeof(PostListQuery)))
            ListQueryDocs.Describe(operation);
        if (metadata.OfType<JsonBodyMetadata>().FirstOrDefault() is { } body)
            operation.RequestBody = await JsonBodyAsync(body.ContractType, context, cancellationToken);
        if (parameterTypes.Contains(typeof(LoginForm)))
            operation.RequestBody = LoginFormBody();

        if (metadata.OfType<IAuthorizeData>().Any())
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiDocs.SecurityScheme, context.Document)] = [] }];

        foreach (var (status, response) in operation.Responses ?? [])
        {
            if (int.TryParse(status, out var code) && Descriptions.TryGetValue(code, out var description))
                response.Description = description;
        }

        if (metadata.OfType<OperationExamples>().FirstOrDefault() is { } examples)
            AddExamples(operation, examples);
        foreach (var error in metadata.OfType<ErrorExample>())
        {
            foreach (var media in operation.Responses?.GetValueOrDefault(error.Status.ToString(System.Globalization.CultureInfo.InvariantCulture))?.Content?.Values ?? [])
                media.Example = error.Json;
        }
    }

    static void DescribeRouteId(OpenApiOperation operation)
    {
        foreach (var parameter in (operation.Parameters ?? []).OfType<OpenApiParameter>().Where(p => p.Name == "id"))
        {
            parameter.Description = "The item's id (a 32-bit integer; anything else is a 422).";
            parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" };
            parameter.Example = JsonValue.Create(7);
        }
    }

    static async Task<OpenApiRequestBody> JsonBodyAsync(Type contract, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var document = context.Document ?? throw new InvalidOperationException("Operations are transformed within a document.");
        var schema = await context.GetOrCreateSchemaAsync(contract, null, cancellationToken);
        document.AddComponent(contract.Name, schema);
        return new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = new OpenApiSchemaReference(contract.Name, document) },
            },
        };
    }

    // OAuth2PasswordRequestForm: username (the e-mail) and password required, the rest optional.
    static OpenApiRequestBody LoginFormBody()
    {
        var form = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string> { "username", "password" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["username"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The account's e-mail, exactly as registered." },
                ["password"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "password" },
                ["grant_type"] = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^password", Description = "Optional; when sent it must be \"password\"." },
                ["scope"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Ignored." },
                ["client_id"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Ignored." },
                ["client_secret"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Ignored." },
            },
        };
        return new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/x-www-form-urlencoded"] = new() { Schema = form },
                ["multipart/form-data"] = new() { Schema = form },
            },
        };
    }

    static void AddExamples(OpenApiOperation operation, OperationExamples examples)
    {
        if (examples.RequestJson is { } request && operation.RequestBody?.Content is { } requestContent)
        {
            foreach (var media in requestContent.Values)
                media.Example = request.DeepClone();
        }
        if (examples.ResponseJson is not { } response)
            return;
        var success = operation.Responses?.FirstOrDefault(r => r.Key.StartsWith('2')).Value;
        foreach (var media in success?.Content?.Values ?? [])
            media.Example = response.DeepClone();
    }
}
