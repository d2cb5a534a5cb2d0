using Social.Api.Tests.Infrastructure;

namespace Social.Api.Tests.Data;

public sealed class MigrationTests(TestEnvironment env)
{
    async Task<long> CountAsync(string database, string sql)
    {
        await using var db = await env.Cluster.OpenAsync(database);
        return await Sql.CountAsync(db, sql);
    }

    const string UserTables = "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN ('users', 'posts', 'votes')";

    [Fact]
    public async Task MigrateOnStartupFalseLeavesTheDatabaseAlone()
    {
        await using var api = await ApiFactory.CreateAsync(env.Cluster, new Dictionary<string, string?> { ["MIGRATE_ON_STARTUP"] = "false" });

        Assert.Equal(0, await CountAsync(api.DatabaseName, UserTables));
    }

    [Fact]
    public async Task TheMigrateCommandAppliesMigrationsAndIsIdempotent()
    {
        var database = await env.Cluster.CreateUniqueDatabaseAsync("migrate");
        var environment = new Dictionary<string, string>
        {
            ["DATABASE_URL"] = $"postgresql://postgres:{env.Cluster.Password}@127.0.0.1:{env.Cluster.Port}/{database}",
            ["SECRET_KEY"] = ApiFactory.SecretKey,
        };

        for (var run = 0; run < 2; run++)
        {
            using var service = ServiceProcess.Start(AppContext.BaseDirectory, environment, "migrate");
            Assert.True(await service.ExitCodeAsync() == 0, service.Stderr);
        }

        Assert.Equal(3, await CountAsync(database, UserTables));
        var migrations = typeof(Social.Api.Data.AppDbContext).Assembly.GetTypes()
            .Count(t => t.GetCustomAttributes(typeof(Microsoft.EntityFrameworkCore.Migrations.MigrationAttribute), false).Length > 0);
        Assert.Equal(migrations, await CountAsync(database, """SELECT count(*) FROM "__EFMigrationsHistory" """));
    }
}
