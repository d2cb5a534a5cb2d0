using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Social.Api.Infrastructure;
using Social.Api.Posts;

namespace Social.Api.ApiDocs;

/// <summary>The query parameters of the post lists (<see cref="PostListQuery"/> parses them itself) and their Link header.</summary>
static class ListQueryDocs
{
    public static void Describe(OpenApiOperation operation)
    {
        operation.Parameters ??= [];
        operation.Parameters.Add(Query("limit", "At most this many posts (larger values are capped at MAX_PAGE_SIZE, 100 by default).",
            new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64", Minimum = "0", Default = PostListQuery.DefaultLimit }));
        operation.Parameters.Add(Query("skip", "Skip this many matching posts first, in the order of `sort`. A `skip` above 0 with a `cursor` is a 422.",
            new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64", Minimum = "0", Default = 0 }));
        operation.Parameters.Add(Query("search", "Keep posts whose title contains this text (case-sensitive, matched literally).",
            new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = RequestLimits.MaxSearchLength, Default = "" }));
        // The examples of sort and t go together: a client such as the /docs page sends both.
        operation.Parameters.Add(Query("sort", SortDescription, Names(FeedOrder.SortNames), "top"));
        operation.Parameters.Add(Query("t", "With `sort=top` only (otherwise 422): count only posts created within the last day, week (7 days), month or year; `all` (the default) counts every post.",
            Names(FeedOrder.WindowNames), "week"));
        operation.Parameters.Add(Query("cursor", "Where the page starts: the `cursor` of the previous page's `Link: <…>; rel=\"next\"` header, passed unchanged (opaque). It fits only the list it came from.",
            new OpenApiSchema { Type = JsonSchemaType.String }));
        if (operation.Responses?.TryGetValue("200", out var ok) == true && ok is OpenApiResponse page)
            page.Headers = new Dictionary<string, IOpenApiHeader>
            {
                ["Link"] = new OpenApiHeader
                {
                    Description = "When there may be a next page: `<this request with skip dropped and the next page's cursor>; rel=\"next\"` (RFC 8288, a relative URI).",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                    Example = JsonValue.Create("</posts/?sort=hot&limit=10&cursor=AQAAAAAAAAAHAAAAB2k3cG9zdHNvcnRlZA>; rel=\"next\""),
                },
            };
    }

    const string SortDescription = "The order: absent, by id (ascending, as before sorts existed); `new`, newest first; `top`, most votes first; "
        + "`hot`, highest hot rank first: log10(max(votes, 1)) + (created_at in Unix seconds - 1134028003) / 45000, Reddit's rank, so ten times the votes "
        + "count as much as 12.5 hours of age. Ties go to the higher id (the newer post).";

    static OpenApiSchema Names(string[] names) =>
        new() { Type = JsonSchemaType.String, Enum = [.. names.Select(n => (JsonNode)JsonValue.Create(n))] };

    static OpenApiParameter Query(string name, string description, OpenApiSchema schema, string? example = null) =>
        new() { Name = name, In = ParameterLocation.Query, Required = false, Description = description, Schema = schema, Example = example is null ? null : JsonValue.Create(example) };
}
