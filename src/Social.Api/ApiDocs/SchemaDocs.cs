using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Social.Api.Auth;
using Social.Api.Data;
using Social.Api.Infrastructure;
using Social.Api.Posts;
using Social.Api.Users;

namespace Social.Api.ApiDocs;

/// <summary>
/// Schemas as the wire has them: every response key always present and no others (clients
/// generated from the document can rely on that), <c>loc</c> items that are names or positions,
/// and the request fields' rules.
/// </summary>
sealed class SchemaDocs : IOpenApiSchemaTransformer
{
    static readonly HashSet<Type> Responses =
    [
        typeof(ErrorResponse), typeof(ValidationErrorResponse), typeof(ValidationError), typeof(MessageResponse),
        typeof(UserResponse), typeof(PostResponse), typeof(PostWithVotes), typeof(TokenResponse), typeof(HealthResponse),
    ];

    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (type == typeof(DateTime))
        {
            // Written by UtcTimestampConverter, which the generator cannot look into.
            schema.Type = JsonSchemaType.String;
            schema.Format = "date-time";
        }
        else if (type == typeof(IReadOnlyList<JsonLocation>))
        {
            schema.Items = new OpenApiSchema
            {
                OneOf = [new OpenApiSchema { Type = JsonSchemaType.String }, new OpenApiSchema { Type = JsonSchemaType.Integer }],
                Description = "Where the value came from (body, query, path), then the field name; for JSON syntax errors the character position.",
            };
        }
        else if (Responses.Contains(type) && schema.Properties is { } properties)
        {
            schema.Required = new HashSet<string>(properties.Keys.Where(k => k != "ctx"));
            schema.AdditionalPropertiesAllowed = false;
            // Omitted when there is none, never null.
            if (properties.TryGetValue("ctx", out var ctx) && ctx is OpenApiSchema ctxSchema)
                ctxSchema.Type = JsonSchemaType.Object;
        }
        else if (type == typeof(PostRequest))
        {
            schema.Required = new HashSet<string> { "title", "content" };
            if (schema.Properties?["published"] is OpenApiSchema published)
                published.Default = JsonValue.Create(true);
        }
        else if (type == typeof(UserRequest))
        {
            schema.Required = new HashSet<string> { "email", "password" };
            if (schema.Properties?["email"] is OpenApiSchema email)
                email.Format = "email";
        }
        else if (type == typeof(PasswordChangeRequest))
        {
            schema.Required = new HashSet<string> { "current_password", "new_password" };
            Password(schema, "current_password", "The account's password now.");
            Password(schema, "new_password", "The password from now on (registration's rules: at most MAX_PASSWORD_LENGTH characters).");
        }
        else if (type == typeof(AccountDeletionRequest))
        {
            schema.Required = new HashSet<string> { "password" };
            Password(schema, "password", "The account's password.");
        }
        else if (type == typeof(Votes.VoteRequest))
        {
            schema.Required = new HashSet<string> { "post_id", "dir" };
            if (schema.Properties?["dir"] is OpenApiSchema dir)
            {
                dir.Enum = [JsonValue.Create(0), JsonValue.Create(1)];
                dir.Description = "1 adds the caller's vote, 0 removes it.";
            }
        }
        return Task.CompletedTask;
    }

    static void Password(OpenApiSchema schema, string name, string description)
    {
        if (schema.Properties?[name] is OpenApiSchema property)
        {
            property.Format = "password";
            property.Description = description;
        }
    }
}
