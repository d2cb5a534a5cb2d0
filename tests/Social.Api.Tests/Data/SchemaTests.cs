using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Social.Api.Data;
using Social.Api.Tests.Infrastructure;

namespace Social.Api.Tests.Data;

/// <summary>Our migrations create exactly the original's schema (api-contract §9, original-schema.sql), plus indexes.</summary>
public sealed class SchemaTests(TestEnvironment env)
{
    async Task<List<string>> RowsAsync(string sql)
    {
        await using var db = await env.Api.OpenDatabaseAsync();
        return await Sql.RowsAsync(db, sql);
    }

    [Fact]
    public async Task ColumnsHaveTheOriginalsNamesTypesNullabilityAndDefaults()
    {
        var columns = await RowsAsync("""
            SELECT table_name, column_name, data_type, character_maximum_length, is_nullable, column_default
            FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name IN ('users', 'posts', 'votes', 'alembic_version')
            ORDER BY table_name, ordinal_position
            """);

        Assert.Equal(
        [
            "alembic_version | version_num | character varying | 32 | NO | NULL",
            "posts | id | integer | NULL | NO | nextval('posts_id_seq'::regclass)",
            "posts | title | character varying | NULL | NO | NULL",
            "posts | content | character varying | NULL | NO | NULL",
            "posts | owner_id | integer | NULL | NO | NULL",
            "posts | published | boolean | NULL | NO | true",
            "posts | created_at | timestamp with time zone | NULL | NO | now()",
            "users | id | integer | NULL | NO | nextval('users_id_seq'::regclass)",
            "users | email | character varying | NULL | NO | NULL",
            "users | password | character varying | NULL | NO | NULL",
            "users | created_at | timestamp with time zone | NULL | NO | now()",
            "users | phone_number | character varying | NULL | YES | NULL",
            // ours, additive and nullable: the instant before which the user's tokens are refused
            "users | tokens_valid_after | timestamp with time zone | NULL | YES | NULL",
            "votes | user_id | integer | NULL | NO | NULL",
            "votes | post_id | integer | NULL | NO | NULL",
        ], columns);
    }

    [Fact]
    public async Task ConstraintsHaveTheOriginalsNamesKeysAndCascades()
    {
        var constraints = await RowsAsync("""
            SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
            FROM pg_constraint
            WHERE connamespace = 'public'::regnamespace AND contype IN ('p', 'u', 'f')
            ORDER BY conrelid::regclass::text, conname
            """);

        Assert.Equal(
        [
            "alembic_version | alembic_version_pkc | PRIMARY KEY (version_num)",
            // ours, additive: failed-login counts, gone with their user
            "login_lockouts | login_lockouts_pkey | PRIMARY KEY (user_id)",
            "login_lockouts | login_lockouts_user_id_fkey | FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE",
            // ours, additive: vote counts kept by a trigger on votes, gone with their post
            "post_vote_counts | post_vote_counts_pkey | PRIMARY KEY (post_id)",
            "post_vote_counts | post_vote_counts_post_id_fkey | FOREIGN KEY (post_id) REFERENCES posts(id) ON DELETE CASCADE",
            "posts | post_users_fk | FOREIGN KEY (owner_id) REFERENCES users(id) ON DELETE CASCADE",
            "posts | posts_pkey | PRIMARY KEY (id)",
            // ours, additive: digests of logged-out tokens until they expire
            "revoked_tokens | revoked_tokens_pkey | PRIMARY KEY (digest)",
            "users | users_email_key | UNIQUE (email)",
            "users | users_pkey | PRIMARY KEY (id)",
            "votes | votes_pkey | PRIMARY KEY (user_id, post_id)",
            "votes | votes_post_id_fkey | FOREIGN KEY (post_id) REFERENCES posts(id) ON DELETE CASCADE",
            "votes | votes_user_id_fkey | FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE",
        ], constraints.Where(c => !c.StartsWith("\"__EFMigrationsHistory\"", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task IdsComeFromIntegerSerialSequences()
    {
        var sequences = await RowsAsync("SELECT sequencename, data_type::text, start_value, increment_by FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1");

        Assert.Equal(["posts_id_seq | integer | 1 | 1", "users_id_seq | integer | 1 | 1"], sequences);
    }

    [Fact]
    public async Task VotesAreIndexedByPostTitlesForSearchAndTheOriginalsAlembicHeadIsRecorded()
    {
        var indexes = await RowsAsync("SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND indexname IN ('ix_votes_post_id', 'ix_posts_id_title') ORDER BY 1");
        var alembic = await RowsAsync("SELECT version_num FROM alembic_version");

        Assert.Equal(
            [
                "CREATE INDEX ix_posts_id_title ON public.posts USING btree (id) INCLUDE (title)",
                "CREATE INDEX ix_votes_post_id ON public.votes USING btree (post_id)",
            ],
            indexes);
        Assert.Equal(["c47ecbf163d4"], alembic);
    }

    /// <summary>Hand-written migrations (the concurrent index builds) keep the model snapshot in step.</summary>
    [Fact]
    public async Task TheModelHasNoChangesWithoutAMigration()
    {
        await using var scope = env.Api.Services.CreateAsyncScope();

        Assert.False(scope.ServiceProvider.GetRequiredService<AppDbContext>().Database.HasPendingModelChanges());
    }
}
