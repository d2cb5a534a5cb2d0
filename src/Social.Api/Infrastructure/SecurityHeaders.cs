namespace Social.Api.Infrastructure;

public static class SecurityHeaders
{
    /// <summary>Every response: browsers must not sniff a JSON body into HTML or script.</summary>
    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            context.Response.Headers.XContentTypeOptions = "nosniff";
            return next(context);
        });
        return app;
    }

    /// <summary>For responses holding credentials or personal data: no cache may keep them.</summary>
    public static TBuilder NoStore<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            context.HttpContext.Response.Headers.CacheControl = "no-store";
            context.HttpContext.Response.Headers.Pragma = "no-cache";
            return await next(context);
        });
}
