using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Social.Api.Infrastructure;

namespace Social.Api.Data;

/// <summary>
/// Taking over a database the original service created (its Alembic migrations, head revision
/// c47ecbf163d4): recognised by its tables, columns, types, nullability, defaults and keys, and
/// recorded as our first migration without re-creating or rewriting anything; our additive
/// migrations then bring it up to date. A database that is neither empty, ours, nor the
/// original's is refused, untouched, with the differences named.
/// </summary>
public static class OriginalSchema
{
    public const string AlembicHead = "c47ecbf163d4";
    public const string BaselineMigration = "20261126100206_OriginalSchema";

    // As original-schema.sql describes them: table.column type nullability default.
    static readonly string[] Columns =
    [
        "alembic_version.version_num character varying(32) NOT NULL",
        "posts.id integer NOT NULL DEFAULT nextval('posts_id_seq'::regclass)",
        "posts.title character varying NOT NULL",
        "posts.content character varying NOT NULL",
        "posts.owner_id integer NOT NULL",
        "posts.published boolean NOT NULL DEFAULT true",
        "posts.created_at timestamp with time zone NOT NULL DEFAULT now()",
        "users.id integer NOT NULL DEFAULT nextval('users_id_seq'::regclass)",
        "users.email character varying NOT NULL",
        "users.password character varying NOT NULL",
        "users.created_at timestamp with time zone NOT NULL DEFAULT now()",
        "users.phone_number character varying NULL",
        "votes.user_id integer NOT NULL",
        "votes.post_id integer NOT NULL",
    ];

    // Keys by what they are (not by name): table: definition.
    static readonly string[] Keys =
    [
        "alembic_version: PRIMARY KEY (version_num)",
        "posts: FOREIGN KEY (owner_id) REFERENCES users(id) ON DELETE CASCADE",
        "posts: PRIMARY KEY (id)",
        "users: PRIMARY KEY (id)",
        "users: UNIQUE (email)",
        "votes: FOREIGN KEY (post_id) REFERENCES posts(id) ON DELETE CASCADE",
        "votes: FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE",
        "votes: PRIMARY KEY (user_id, post_id)",
    ];

    /// <summary>Run before EF Core's migrations: adopts an original's database, refuses a foreign one.</summary>
    public static async Task AdoptIfOriginalAsync(AppDbContext db, ILogger logger, CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            // One instance at a time decides (others starting beside it wait, then find it done).
            await ExecuteAsync(connection, "SELECT pg_advisory_xact_lock(4771035)", cancellationToken);

            var tables = await ReadAsync(connection, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1", cancellationToken);
            if (tables.Count == 0 || tables.Contains(HistoryRepository.DefaultTableName))
                return; // empty: our migrations create everything; ours: they add what is missing

            var differences = await DifferencesAsync(connection, tables, cancellationToken);
            if (differences.Count > 0)
                throw new InvalidConfigurationException(
                    "The database is neither empty, this service's, nor the original service's (Alembic " + AlembicHead + "), "
                    + "so nothing was changed in it: " + string.Join("; ", differences.Take(6))
                    + (differences.Count > 6 ? $"; and {differences.Count - 6} more differences" : "") + ".");

            var history = db.GetService<IHistoryRepository>();
            await ExecuteAsync(connection, history.GetCreateIfNotExistsScript(), cancellationToken);
            await ExecuteAsync(connection, history.GetInsertScript(new HistoryRow(BaselineMigration, ProductInfo.GetVersion())), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            logger.LogInformation("Adopted the original service's database (Alembic {Revision}) as migration {Migration}; applying our additive migrations",
                AlembicHead, BaselineMigration);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    static async Task<List<string>> DifferencesAsync(DbConnection connection, List<string> tables, CancellationToken cancellationToken)
    {
        var differences = new List<string>();
        string[] expectedTables = ["alembic_version", "posts", "users", "votes"];
        differences.AddRange(tables.Except(expectedTables).Select(t => $"table {t} is not the original's"));
        differences.AddRange(expectedTables.Except(tables).Select(t => $"table {t} is missing"));

        var columns = await ReadAsync(connection, """
            SELECT table_name || '.' || column_name || ' ' || format_type(a.atttypid, a.atttypmod)
                   || CASE WHEN c.is_nullable = 'NO' THEN ' NOT NULL' ELSE ' NULL' END
                   || coalesce(' DEFAULT ' || c.column_default, '')
            FROM information_schema.columns c
            JOIN pg_attribute a ON a.attrelid = ('public.' || quote_ident(c.table_name))::regclass AND a.attname = c.column_name
            WHERE c.table_schema = 'public' AND c.table_name IN ('alembic_version', 'posts', 'users', 'votes')
            ORDER BY 1
            """, cancellationToken);
        differences.AddRange(Columns.Except(columns).Select(c => $"expected column {c}"));
        differences.AddRange(columns.Except(Columns).Select(c => $"unexpected column {c}"));

        var keys = await ReadAsync(connection, """
            SELECT conrelid::regclass::text || ': ' || pg_get_constraintdef(oid)
            FROM pg_constraint
            WHERE connamespace = 'public'::regnamespace AND contype IN ('p', 'u', 'f')
              AND conrelid::regclass::text IN ('alembic_version', 'posts', 'users', 'votes')
            ORDER BY 1
            """, cancellationToken);
        differences.AddRange(Keys.Except(keys).Select(k => $"expected key {k}"));
        differences.AddRange(keys.Except(Keys).Select(k => $"unexpected key {k}"));

        if (differences.Count == 0)
        {
            var revisions = await ReadAsync(connection, "SELECT version_num FROM alembic_version", cancellationToken);
            if (revisions is not [AlembicHead])
                differences.Add($"Alembic revision is {string.Join(", ", revisions.DefaultIfEmpty("none"))}, expected {AlembicHead} (upgrade it with the original first)");
        }
        return differences;
    }

    static async Task<List<string>> ReadAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(Convert.ToString(reader.GetValue(0), CultureInfo.InvariantCulture)!);
        return rows;
    }

    static async Task ExecuteAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
