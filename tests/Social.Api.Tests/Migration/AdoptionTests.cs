using System.Net;
using System.Net.Http.Json;
using Npgsql;
using Social.Api.Data;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.Sql;
using static Social.Api.Tests.Migration.OriginalDatabase;

namespace Social.Api.Tests.Migration;

/// <summary>
/// Taking over a running deployment of the original: its database (schema from
/// original-schema.sql, with data) is adopted in place, its users, tokens and data keep working,
/// and a database that is not the original's is refused untouched.
/// </summary>
public sealed class AdoptionTests(TestEnvironment env)
{
    Dictionary<string, string> Environment(string database) => new()
    {
        ["DATABASE_URL"] = $"postgresql://postgres:{env.Cluster.Password}@127.0.0.1:{env.Cluster.Port}/{database}",
        ["SECRET_KEY"] = ApiFactory.SecretKey,
    };

    async Task<(int ExitCode, string Stderr)> MigrateCommandAsync(string database)
    {
        using var service = ServiceProcess.Start(AppContext.BaseDirectory, Environment(database), "migrate");
        return (await service.ExitCodeAsync(), service.Stderr);
    }

    [Fact]
    public async Task TheOriginalsDatabaseIsAdoptedWithoutRewritingAnythingAndMigratedAdditively()
    {
        var database = await CreateAsync(env.Cluster);
        await using var db = await env.Cluster.OpenAsync(database);
        var dataBefore = await DataDumpAsync(db);
        var schemaBefore = await SchemaDumpAsync(db);

        var (exitCode, stderr) = await MigrateCommandAsync(database);

        Assert.True(exitCode == 0, stderr);
        Assert.Equal(dataBefore, await DataDumpAsync(db));
        var schemaAfter = await SchemaDumpAsync(db);
        Assert.Empty(schemaBefore.Except(schemaAfter)); // nothing of the original's removed or changed
        Assert.Contains("index ix_votes_post_id CREATE INDEX ix_votes_post_id ON public.votes USING btree (post_id)", schemaAfter);
        var history = await RowsAsync(db, """SELECT migration_id FROM "__EFMigrationsHistory" ORDER BY 1""");
        Assert.Equal(OriginalSchema.BaselineMigration, history[0]);
        Assert.Equal(typeof(AppDbContext).Assembly.GetTypes().Count(t => t.IsDefined(typeof(Microsoft.EntityFrameworkCore.Migrations.MigrationAttribute), false)), history.Count);
        Assert.Equal(["0"], await RowsAsync(db, "SELECT count(*) FROM posts p WHERE coalesce((SELECT votes FROM post_vote_counts c WHERE c.post_id = p.id), 0) <> (SELECT count(*) FROM votes v WHERE v.post_id = p.id)"));
        Assert.Equal(["0"], await RowsAsync(db, "SELECT count(*) FROM pg_index WHERE NOT indisvalid"));
        Assert.Equal(["0"], await RowsAsync(db, UnrankedPosts));
    }

    /// <summary>Posts without their row of feed keys (FeedRanks), or with keys that disagree with the post.</summary>
    const string UnrankedPosts = """
        SELECT count(*) FROM posts p LEFT JOIN post_vote_counts c ON c.post_id = p.id
        WHERE c.post_id IS NULL OR c.created_at <> p.created_at OR c.hot <> social_hot(c.votes, p.created_at)
        """;

    [Fact]
    public async Task MigratingTwiceChangesNothingTheSecondTime()
    {
        var database = await CreateAsync(env.Cluster);
        await using var db = await env.Cluster.OpenAsync(database);
        Assert.Equal(0, (await MigrateCommandAsync(database)).ExitCode);
        var schema = await SchemaDumpAsync(db);
        var data = await DataDumpAsync(db);
        var history = await RowsAsync(db, """SELECT migration_id || ' ' || product_version FROM "__EFMigrationsHistory" ORDER BY 1""");

        Assert.Equal(0, (await MigrateCommandAsync(database)).ExitCode);

        Assert.Equal(schema, await SchemaDumpAsync(db));
        Assert.Equal(data, await DataDumpAsync(db));
        Assert.Equal(history, await RowsAsync(db, """SELECT migration_id || ' ' || product_version FROM "__EFMigrationsHistory" ORDER BY 1"""));
    }

    [Theory]
    [InlineData("ALTER TABLE posts ALTER COLUMN title TYPE text", "posts.title")]
    [InlineData("CREATE TABLE comments (id serial PRIMARY KEY, body text)", "table comments")]
    [InlineData("ALTER TABLE users ALTER COLUMN phone_number TYPE text", "users.phone_number")]
    [InlineData("ALTER TABLE votes DROP CONSTRAINT votes_post_id_fkey", "FOREIGN KEY (post_id)")]
    [InlineData("UPDATE alembic_version SET version_num = 'aaaaaaaaaaaa'", "Alembic revision is aaaaaaaaaaaa")]
    public async Task AForeignSchemaIsRefusedWithTheDifferenceNamedAndNothingChanged(string change, string named)
    {
        var database = await CreateAsync(env.Cluster);
        await using var db = await env.Cluster.OpenAsync(database);
        await ExecuteAsync(db, change);
        var schema = await SchemaDumpAsync(db);
        var data = await DataDumpAsync(db);

        var (exitCode, stderr) = await MigrateCommandAsync(database);

        Assert.Equal(2, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Contains("neither empty, this service's, nor the original service's", line, StringComparison.Ordinal);
        Assert.Contains(named, line, StringComparison.Ordinal);
        Assert.Equal(schema, await SchemaDumpAsync(db));
        Assert.Equal(data, await DataDumpAsync(db));
    }

    [Fact]
    public async Task AfterTheSwitchUsersTokensDataAndIdsCarryOn()
    {
        var database = await CreateAsync(env.Cluster);
        await using var db = await env.Cluster.OpenAsync(database);
        var maxPostId = int.Parse((await RowsAsync(db, "SELECT last_value FROM posts_id_seq"))[0], System.Globalization.CultureInfo.InvariantCulture);
        var votesOfPost = await RowsAsync(db, "SELECT p.id || ' ' || count(v.post_id) FROM posts p LEFT JOIN votes v ON v.post_id = p.id GROUP BY p.id ORDER BY p.id");
        var legacyId = int.Parse((await RowsAsync(db, $"SELECT id FROM users WHERE email = '{LegacyUsers[0].Email}'"))[0], System.Globalization.CultureInfo.InvariantCulture);
        // A token the original issued before the switch: python-jose's claims, same key.
        var originalToken = TestTokens.ForUser(legacyId, TestTokens.Now + 1800);

        await using var api = await ApiFactory.CreateAsync(env.Cluster, new Dictionary<string, string?> { ["DATABASE_NAME"] = database });
        var client = api.CreateClient();

        foreach (var (email, password, _) in LegacyUsers)
            Assert.Equal(HttpStatusCode.OK, (await client.LoginAsync(email, password)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.LoginAsync(LegacyUsers[2].Email, LegacyUsers[2].Password[..72] + "-another-tail")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.LoginAsync(LegacyUsers[1].Email, "Grüsse 🚀 aus Köln")).StatusCode);

        var legacy = api.ClientWithToken("Bearer " + originalToken);
        var page = (await (await legacy.GetAsync("/posts/?limit=100")).JsonAsync()).AsArray();
        Assert.Equal(votesOfPost.Take(100), page.Select(p => $"{p!["Post"]!["id"]} {p["votes"]}"));

        var created = await (await legacy.PostAsJsonAsync("/posts/", new { title = "after the switch", content = "c" })).JsonAsync();
        Assert.Equal(maxPostId + 1, created["id"]!.GetValue<int>());
        Assert.Equal(legacyId, created["owner_id"]!.GetValue<int>());
        var registered = await (await client.RegisterAsync(ApiClient.UniqueEmail("new"))).JsonAsync();
        Assert.True(registered["id"]!.GetValue<int>() > LegacyUsers.Length + 20);
    }

    [Fact]
    public async Task EveryStatementTheOriginalSendsStillRunsAfterTheMigration()
    {
        var database = await CreateAsync(env.Cluster);
        Assert.Equal(0, (await MigrateCommandAsync(database)).ExitCode);
        await using var db = await env.Cluster.OpenAsync(database);

        // SQLAlchemy's statements for the original's endpoints (models.User, models.Post, models.Vote).
        var userId = (await RowsAsync(db, "INSERT INTO users (email, password) VALUES ('rollback@example.com', 'x') RETURNING users.id, users.created_at"))[0].Split(" | ")[0];
        var postId = (await RowsAsync(db, $"INSERT INTO posts (title, content, published, owner_id) VALUES ('t', 'c', true, {userId}) RETURNING posts.id, posts.created_at"))[0].Split(" | ")[0];
        await RowsAsync(db, $"SELECT votes.user_id, votes.post_id FROM votes WHERE votes.post_id = {postId} AND votes.user_id = {userId}");
        await ExecuteAsync(db, $"INSERT INTO votes (user_id, post_id) VALUES ({userId}, {postId})");
        var listed = await RowsAsync(db, """
            SELECT posts.title, posts.content, posts.published, posts.id, posts.created_at, posts.owner_id, count(votes.post_id) AS votes
            FROM posts LEFT OUTER JOIN votes ON votes.post_id = posts.id
            WHERE posts.title LIKE '%' || 't' || '%' GROUP BY posts.id LIMIT 10 OFFSET 0
            """);
        Assert.NotEmpty(listed);
        await RowsAsync(db, $"SELECT users.id, users.email, users.password, users.created_at, users.phone_number FROM users WHERE users.email = 'rollback@example.com'");
        Assert.Equal(["1"], await RowsAsync(db, $"SELECT votes FROM post_vote_counts WHERE post_id = {postId}"));
        Assert.Equal(["0"], await RowsAsync(db, UnrankedPosts));
        await ExecuteAsync(db, $"UPDATE posts SET title='t2', content='c2', published=false WHERE posts.id = {postId}");
        await ExecuteAsync(db, $"DELETE FROM votes WHERE votes.post_id = {postId} AND votes.user_id = {userId}");
        Assert.Equal(["0"], await RowsAsync(db, $"SELECT votes FROM post_vote_counts WHERE post_id = {postId}"));
        await ExecuteAsync(db, $"DELETE FROM posts WHERE posts.id = {postId}");
        Assert.Equal(["0"], await RowsAsync(db, $"SELECT count(*) FROM post_vote_counts WHERE post_id = {postId}"));

        // Our additions stay out of the original's way: a user it inserts has no not-before instant, and nothing is revoked.
        Assert.Equal(["NULL"], await RowsAsync(db, $"SELECT tokens_valid_after FROM users WHERE id = {userId}"));
        Assert.Equal(["0"], await RowsAsync(db, "SELECT count(*) FROM revoked_tokens"));
        Assert.Equal([OriginalSchema.AlembicHead], await RowsAsync(db, "SELECT version_num FROM alembic_version"));
        Assert.Equal(["0"], await RowsAsync(db, "SELECT count(*) FROM posts p WHERE coalesce((SELECT votes FROM post_vote_counts c WHERE c.post_id = p.id), 0) <> (SELECT count(*) FROM votes v WHERE v.post_id = p.id)"));
    }

    /// <summary>docs/migrating.md, "Rolling back", step 4: the additions dropped by hand leave the original's schema exactly.</summary>
    [Fact]
    public async Task TheDocumentedHandRollbackLeavesExactlyTheOriginalsSchema()
    {
        var database = await CreateAsync(env.Cluster);
        await using var db = await env.Cluster.OpenAsync(database);
        const string functions = "SELECT 'function ' || proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace ORDER BY 1";
        var schemaBefore = await SchemaDumpAsync(db);
        var functionsBefore = await RowsAsync(db, functions);
        Assert.Equal(0, (await MigrateCommandAsync(database)).ExitCode);
        Assert.NotEqual(schemaBefore, await SchemaDumpAsync(db));

        var guide = (await File.ReadAllTextAsync(Repository.PathOf("docs", "migrating.md"))).ReplaceLineEndings(" ");
        var drop = System.Text.RegularExpressions.Regex.Match(guide, @"drop the additions by hand \(`(?<sql>[^`]+)`\)").Groups["sql"].Value;
        Assert.NotEmpty(drop);
        await ExecuteAsync(db, drop);

        Assert.Equal(schemaBefore, await SchemaDumpAsync(db));
        Assert.Equal(functionsBefore, await RowsAsync(db, functions));
    }

    [Fact]
    public async Task TokensOurServiceIssuedAreTheOriginalsFormat()
    {
        var database = await CreateAsync(env.Cluster);
        await using var api = await ApiFactory.CreateAsync(env.Cluster, new Dictionary<string, string?> { ["DATABASE_NAME"] = database });

        var token = (await (await api.CreateClient().LoginAsync(LegacyUsers[0].Email, LegacyUsers[0].Password)).JsonAsync())["access_token"]!.GetValue<string>();

        // What python-jose's jwt.decode(token, SECRET_KEY, algorithms=["HS256"]) accepts after a rollback.
        Assert.Equal(TestTokens.Mint(TestTokens.DecodePart(token, 1)), token);
        Assert.Matches("""^\{"user_id":\d+,"exp":\d+\}$""", TestTokens.DecodePart(token, 1));
    }

    [Fact]
    public async Task ADatabaseOurMigrationsCreatedIsNotMistakenForAForeignOne()
    {
        var database = await env.Cluster.CreateUniqueDatabaseAsync("ours");

        Assert.Equal(0, (await MigrateCommandAsync(database)).ExitCode);
        Assert.Equal(0, (await MigrateCommandAsync(database)).ExitCode);
    }
}
