using Npgsql;
using Social.Api.Data;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.Sql;

namespace Social.Api.Tests.Migration;

/// <summary>
/// A database exactly as the original's migrations left it (shared/original-schema.sql), filled
/// through the original's own kind of statements, including the users of the password test vectors.
/// </summary>
public static class OriginalDatabase
{
    // Kept in the repository so the tests do not depend on a folder outside the checkout.
    public static string Schema => File.ReadAllText(Repository.PathOf("tests", "Social.Api.Tests", "Migration", "original-schema.sql"));

    public static readonly (string Email, string Password, string Hash)[] LegacyUsers =
    [
        ("legacy1@example.com", "old password 1", "$2b$12$FX0Xv/QAYazTHedLJwlj/ObHOUuhhiwZtr0xXgHnR7mF6Airmzfry"),
        ("Legacy2@example.com", "Grüße 🚀 aus Köln", "$2b$12$nepuVbb9sSn9utODBsma2uemuRUw5L90np9szxuB1SVI1.xLvl706"),
        ("legacy3@example.com", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-beyond-72-bytes (bcrypt ignores this tail)", "$2b$12$AVoDLtEij2yOQaymXzKKqOPiIGVRK8BgzeHGLv49YNXw2fGrBRnKS"),
    ];

    /// <summary>Creates the database with the original's schema and data; returns its name.</summary>
    public static async Task<string> CreateAsync(LocalPostgres cluster, int extraUsers = 20, int postsPerUser = 3)
    {
        var name = await cluster.CreateUniqueDatabaseAsync("original");
        await using var db = await cluster.OpenAsync(name);
        await ExecuteAsync(db, Schema);
        foreach (var (email, _, hash) in LegacyUsers)
            await ExecuteAsync(db, "INSERT INTO users (email, password) VALUES ($1, $2)", email, hash);
        // Users, posts and votes as the original's ORM inserts them (the sequences assign the ids).
        await ExecuteAsync(db, $"""
            INSERT INTO users (email, password, phone_number)
            SELECT 'user' || g || '@example.com', '{LegacyUsers[0].Hash}', CASE WHEN g % 2 = 0 THEN '+4912345' || g END
            FROM generate_series(1, {extraUsers}) g;
            INSERT INTO posts (title, content, published, owner_id)
            SELECT 'post ' || u.id || '/' || g, 'content ' || g, g % 3 <> 0, u.id
            FROM users u, generate_series(1, {postsPerUser}) g;
            INSERT INTO votes (user_id, post_id)
            SELECT u.id, p.id FROM users u JOIN posts p ON (u.id + p.id) % 4 = 0;
            -- a failed insert consumes a sequence value, as in any real deployment
            SELECT nextval('users_id_seq'), nextval('posts_id_seq');
            """);
        return name;
    }

    /// <summary>Everything about the schema a migration could change: columns, constraints, indexes, triggers, migrations run.</summary>
    public static Task<List<string>> SchemaDumpAsync(NpgsqlConnection db) => RowsAsync(db, """
        SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '')
        FROM information_schema.columns WHERE table_schema = 'public'
        UNION ALL SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'public'::regnamespace
        UNION ALL SELECT 'index ' || indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
        UNION ALL SELECT 'trigger ' || tgname || ' on ' || tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal
        ORDER BY 1
        """);

    /// <summary>The data, as a comparable list (ids, values, counts and sequence positions).</summary>
    public static Task<List<string>> DataDumpAsync(NpgsqlConnection db) => RowsAsync(db, """
        SELECT 'user ' || id || ' ' || email || ' ' || password || ' ' || created_at || ' ' || coalesce(phone_number, '') FROM users
        UNION ALL SELECT 'post ' || id || ' ' || title || ' ' || content || ' ' || published || ' ' || owner_id || ' ' || created_at FROM posts
        UNION ALL SELECT 'vote ' || user_id || ' ' || post_id FROM votes
        UNION ALL SELECT 'sequence ' || sequencename || ' ' || coalesce(last_value, 0) FROM pg_sequences WHERE schemaname = 'public'
        UNION ALL SELECT 'alembic ' || version_num FROM alembic_version
        ORDER BY 1
        """);
}
