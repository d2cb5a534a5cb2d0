using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;
using Social.Api.Infrastructure;

namespace Social.Api.Data;

public static class DatabaseSetup
{
    public static IServiceCollection AddDatabase(this IServiceCollection services, DatabaseSettings settings)
    {
        if (!settings.Configured)
            throw new InvalidOperationException("The database connection string is resolved before services are added.");
        // Named, so the pool's metrics are labelled "social-api" rather than with the connection string.
        var builder = new NpgsqlDataSourceBuilder(settings.EffectiveConnectionString()) { Name = "social-api" };
        if (settings.SeveralHosts)
        {
            // One pool per host, seen two ways: the primary for writes (and LISTEN, migrations, the
            // warm-up's rolled-back writes), preferably a standby for reads. Through factories, so
            // the host disposes the pools when it stops.
            var hosts = builder.BuildMultiHost();
            services.AddSingleton(_ => hosts);
            services.AddSingleton(provider => provider.GetRequiredService<NpgsqlMultiHostDataSource>().WithTargetSession(TargetSessionAttributes.Primary));
            services.AddSingleton(provider => new Reads(
                provider.GetRequiredService<NpgsqlMultiHostDataSource>().WithTargetSession(TargetSessionAttributes.PreferStandby),
                provider.GetRequiredService<NpgsqlDataSource>()));
        }
        else
        {
            var dataSource = builder.Build();
            // Through a factory, so the host disposes it when it stops: the connections the warm-up opened close with it.
            services.AddSingleton(_ => dataSource);
            services.AddSingleton(provider => new Reads(provider.GetRequiredService<NpgsqlDataSource>()));
        }
        services.AddDbContextPool<AppDbContext>((provider, options) => Configure(options, provider.GetRequiredService<NpgsqlDataSource>()));
        // The cache of known users stays exact through the database's announcements.
        services.AddHostedService<ChangeListener>();
        return services;
    }

    static void Configure(DbContextOptionsBuilder options, NpgsqlDataSource? dataSource) =>
        (dataSource is null ? options.UseNpgsql() : options.UseNpgsql(dataSource))
            .UseSnakeCaseNamingConvention()
            // Index builds run CONCURRENTLY, outside a transaction, by design; they are idempotent (IF NOT EXISTS).
            .ConfigureWarnings(w => w.Ignore(RelationalEventId.NonTransactionalMigrationOperationWarning));

    /// <summary>
    /// <c>Social.Api migrate</c>: applies the migrations and exits. Needs only the database
    /// settings, so it can run before a deployment from wherever the database is reachable.
    /// </summary>
    public static async Task<int> MigrateCommandAsync(WebApplicationBuilder builder, DatabaseSettings settings)
    {
        builder.Services.AddDatabase(settings);
        await using var app = builder.Build();
        await app.Services.MigrateDatabaseAsync();
        Console.WriteLine("info: database migrated");
        return 0;
    }

    /// <summary>
    /// Applies the migrations that are not yet applied (safe to run on every start), after
    /// adopting a database the original service created.
    /// </summary>
    public static async Task MigrateDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var logger = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(OriginalSchema));
        await OriginalSchema.AdoptIfOriginalAsync(db, logger, cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);
    }

    /// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the service.</summary>
    sealed class DesignTimeFactory : IDesignTimeDbContextFactory<AppDbContext>
    {
        public AppDbContext CreateDbContext(string[] args)
        {
            var options = new DbContextOptionsBuilder<AppDbContext>();
            Configure(options, null);
            return new AppDbContext(options.Options);
        }
    }
}
