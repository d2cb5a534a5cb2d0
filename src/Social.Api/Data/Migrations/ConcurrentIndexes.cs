using Microsoft.EntityFrameworkCore.Migrations;

namespace Social.Api.Data.Migrations;

/// <summary>
/// Index builds that keep a large database taking writes: CONCURRENTLY, so outside a transaction,
/// and idempotent, so a migration interrupted half-way can simply run again.
/// </summary>
static class ConcurrentIndexes
{
    public static void Create(MigrationBuilder migrationBuilder, string name, string definition)
    {
        // An interrupted concurrent build leaves an invalid index that IF NOT EXISTS would keep.
        migrationBuilder.Sql($"""
            DO $$ BEGIN
                IF EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = '{name}' AND NOT i.indisvalid) THEN
                    DROP INDEX {name};
                END IF;
            END $$;
            """, suppressTransaction: true);
        migrationBuilder.Sql($"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {definition};", suppressTransaction: true);
    }
}
