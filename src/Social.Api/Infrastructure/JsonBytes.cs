using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace Social.Api.Infrastructure;

/// <summary>
/// 200 with a body already serialized as <typeparamref name="T"/> (a cached response): written as
/// <c>Ok&lt;T&gt;</c> would write it, and described the same way in the OpenAPI document.
/// </summary>
public sealed class JsonBytes<T>(byte[] body) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult
{
    public int? StatusCode => StatusCodes.Status200OK;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body).AsTask();
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), ["application/json"]));
}
