using System.Reflection;
using Microsoft.OpenApi;
using Scalar.AspNetCore;
using Social.Api.Infrastructure;

namespace Social.Api.ApiDocs;

/// <summary>
/// <c>/openapi.json</c> (OpenAPI 3.1, the exact wire contract) and <c>/docs</c> (Scalar, served
/// from the package itself, so it works offline) with the OAuth2 password flow of <c>/login</c>.
/// </summary>
public static class ApiDocs
{
    public const string DocumentPath = "/openapi.json";
    public const string SecurityScheme = "OAuth2";

    /// <summary>
    /// True while the build (Microsoft.Extensions.ApiDescription.Server) runs Program only to read
    /// the endpoints: no database is started and placeholder secrets are used.
    /// </summary>
    public static bool GeneratingAtBuildTime => Assembly.GetEntryAssembly()?.GetName().Name == "GetDocument.Insider";

    public static IServiceCollection AddApiDocs(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer(DescribeDocument);
            options.AddOperationTransformer<OperationDocs>();
            options.AddSchemaTransformer<SchemaDocs>();
        });

    public static WebApplication MapApiDocs(this WebApplication app)
    {
        app.MapOpenApi(DocumentPath);
        app.MapScalarApiReference("/docs", scalar => scalar
            .WithTitle("Social API")
            .WithOpenApiRoutePattern(DocumentPath)
            .AddPreferredSecuritySchemes(SecurityScheme)
            .AddPasswordFlow(SecurityScheme, flow => flow.WithCredentialsLocation(CredentialsLocation.Body))
            .EnablePersistentAuthentication()
            // Everything from the service itself: no web fonts, AI agent, telemetry or MCP calls out.
            .DisableDefaultFonts()
            .DisableAgent()
            .DisableTelemetry()
            .DisableMcp()
            .HideDeveloperTools());
        return app;
    }

    static Task DescribeDocument(OpenApiDocument document, Microsoft.AspNetCore.OpenApi.OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Social API",
            Version = "1.0",
            Description = """
                Users, posts and votes: the HTTP contract of the FastAPI "social media backend", served by
                its C# successor. Log in with `POST /login` (a form: `username` is the e-mail) and send the
                token as `Authorization: Bearer <token>`. Errors are `{"detail": "..."}`; validation errors
                are `{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}` with status 422. Collections
                are spelled with a trailing slash (`/posts/`), items without (`/posts/7`); the other spelling
                is served too. A method a path does not support answers 405 `{"detail": "Method Not Allowed"}`.
                """,
        };
        // Relative to wherever the document is served from, so it is the same on every host.
        document.Servers = [];
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SecurityScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.OAuth2,
            Description = "OAuth2 password flow: POST /login with the e-mail as username; the token is an HS256 JWT valid for ACCESS_TOKEN_EXPIRE_MINUTES.",
            Flows = new OpenApiOAuthFlows
            {
                Password = new OpenApiOAuthFlow { TokenUrl = new Uri("/login", UriKind.Relative), Scopes = new Dictionary<string, string>() },
            },
        };

        // The contract's canonical spellings: collections end with a slash.
        foreach (var collection in new[] { "/users", "/posts", "/vote" })
        {
            if (document.Paths.Remove(collection, out var item))
                document.Paths[collection + "/"] = item;
        }
        return Task.CompletedTask;
    }

    /// <summary>Documents the error answers an endpoint gives, with their body schemas.</summary>
    public static TBuilder ProducesErrors<TBuilder>(this TBuilder builder, params int[] statuses) where TBuilder : IEndpointConventionBuilder
    {
        foreach (var status in statuses)
        {
            if (status == StatusCodes.Status422UnprocessableEntity)
                builder.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(ValidationErrorResponse), ["application/json"]));
            else
                builder.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(ErrorResponse), ["application/json"]));
        }
        return builder;
    }
}
