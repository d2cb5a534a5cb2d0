using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;

namespace Social.Api.Infrastructure.Validation;

/// <summary>A request body contract that reads itself from JSON, reporting problems per field.</summary>
public interface IJsonRequest<TSelf> where TSelf : IJsonRequest<TSelf>
{
    static abstract TSelf Read(JsonFields fields);
}

/// <summary>
/// A JSON body, validated field by field. Used instead of the framework's body binding because
/// that stops at the first problem with a 400, where the contract asks for a 422 listing every
/// problem (<c>{"loc": ["body", "title"], ...}</c>).
/// </summary>
public sealed class JsonBody<T> : IValidatedInput, IEndpointParameterMetadataProvider
    where T : class, IJsonRequest<T>
{
    JsonBody(T? value, IReadOnlyList<ValidationError> errors) => (_value, Errors) = (value, errors);

    readonly T? _value;

    /// <summary>The body; only read by handlers, which run when <see cref="Errors"/> is empty.</summary>
    public T Value => _value ?? throw new InvalidOperationException("The body was not valid.");

    public IReadOnlyList<ValidationError> Errors { get; }

    public static ValueTask<JsonBody<T>?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        var body = context.Features.Get<ParsedJsonBody>()
            ?? throw new InvalidOperationException("JsonBodySyntax middleware must run before endpoints with JSON bodies.");

        JsonBody<T> result;
        if (!body.IsJson)
            result = new(null, [ValidationErrors.NotAnObject("body")]);
        else if (body.Document is null || body.Document.RootElement.ValueKind == JsonValueKind.Null)
            result = new(null, [ValidationErrors.Missing("body")]);
        else if (body.Document.RootElement.ValueKind != JsonValueKind.Object)
            result = new(null, [ValidationErrors.NotAnObject("body")]);
        else
        {
            var fields = new JsonFields(body.Document.RootElement, context.RequestServices.GetRequiredService<Settings>().Limits);
            var value = T.Read(fields);
            result = new(fields.Errors.Count == 0 ? value : null, fields.Errors);
        }
        return ValueTask.FromResult<JsonBody<T>?>(result);
    }

    // Deliberately no AcceptsMetadata: routing would then answer other content types with 415
    // before authentication, where the original reads them and answers 422 after it.
    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) =>
        builder.Metadata.Add(new JsonBodyMetadata(typeof(T)));
}
