using Microsoft.AspNetCore.Connections;
using Social.Api.ApiDocs;
using Social.Api.Auth;
using Social.Api.Data;
using Social.Api.Infrastructure;
using Social.Api.Infrastructure.Validation;
using Social.Api.Observability;
using Social.Api.Posts;
using Social.Api.Users;
using Social.Api.Votes;

try
{
    Hosting.LoadDotEnvFile();
    // appsettings.json beside the program, whatever the working directory.
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
    // Before the settings are checked: a probe needs only the listening address.
    if (args is ["healthcheck", ..])
        return await HealthProbe.RunAsync(builder.Configuration);

    var settings = Settings.Load(builder.Configuration);
    using var localDatabase = LocalDevelopmentDatabase.StartIfUnconfigured(builder.Environment, ref settings);

    if (args is ["migrate", ..])
        return await DatabaseSetup.MigrateCommandAsync(builder, settings.Database);

    builder.UseServerDefaults(settings);
    builder.AddTelemetry(settings);
    builder.Services.AddSingleton(settings);
    builder.Services.AddSingleton(TimeProvider.System);
    builder.Services.AddJsonContracts();
    builder.Services.AddErrorHandling();
    builder.Services.AddDatabase(settings.Database);
    builder.Services.AddDatabaseReadiness();
    builder.Services.AddJwtAuthentication(JwtSettings.From(settings.Tokens));
    builder.Services.AddClientLimits(settings.Limits);
    builder.Services.AddPostFeeds();
    builder.Services.AddApiDocs();
    builder.Services.AddCors(cors => cors.AddDefaultPolicy(policy => policy
        // Any origin, but without credentials: tokens travel in headers, never in cookies. Scripts
        // may read Link, which names a list's next page.
        .AllowAnyOrigin().AllowAnyMethod().AllowAnyHeader().WithExposedHeaders("Link").SetPreflightMaxAge(TimeSpan.FromMinutes(10))));

    var app = builder.Build();

    app.UseRequestLog();
    app.UseTrustedProxies();
    app.UseSecurityHeaders();
    app.UseManagementAddresses();
    app.UseErrorHandling();
    app.UseDatabaseReadiness();
    app.UseRouting();
    app.UseCors();
    app.UseRateLimiter();
    app.UseMiddleware<JsonBodySyntax>();
    app.UseAuthentication();
    app.UseAuthorization();

    app.MapHealthEndpoints();
    app.MapApiDocs();
    app.MapGet("/", () => TypedResults.Ok(Examples.Hello))
        .WithTags("Service")
        .WithSummary("Hello")
        .WithDescription("A greeting, as the original answers it.")
        .WithExamples(response: Examples.Hello);
    app.MapUsers();
    app.MapAccount();
    app.MapAuth();
    app.MapPosts();
    app.MapUserPosts();
    app.MapVotes();

    await app.RunAsync();
    return Environment.ExitCode;
}
// A port already in use too: one line and a clean exit instead of an abort, which would leave the
// development cluster running.
catch (Exception e) when (e is InvalidConfigurationException or IOException { InnerException: AddressInUseException })
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}

/// <summary>The entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
