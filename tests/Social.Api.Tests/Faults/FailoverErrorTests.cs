using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Social.Api.Data;
using Social.Api.Tests.Infrastructure;
using static Social.Api.Tests.Infrastructure.ApiClient;

namespace Social.Api.Tests.Faults;

/// <summary>
/// What clients meet while a primary stops, crashes or is replaced by a standby: each database
/// error of a failover is a 503 with Retry-After the client may retry, never a 500. Provoked on a
/// cluster of the test's own, which it crashes, shuts down and makes read-only.
/// </summary>
public sealed class FailoverErrorTests : IDisposable
{
    readonly TemporaryCluster _cluster = new("social-failover", durable: true);

    public void Dispose() => _cluster.Dispose();

    [Theory]
    [InlineData(PostgresErrorCodes.AdminShutdown)]
    [InlineData(PostgresErrorCodes.CrashShutdown)]
    [InlineData(PostgresErrorCodes.CannotConnectNow)]
    [InlineData(PostgresErrorCodes.ReadOnlySqlTransaction)]
    [InlineData(PostgresErrorCodes.ConnectionException)]
    [InlineData(PostgresErrorCodes.ConnectionDoesNotExist)]
    [InlineData(PostgresErrorCodes.ConnectionFailure)]
    [InlineData(PostgresErrorCodes.SqlClientUnableToEstablishSqlConnection)]
    [InlineData(PostgresErrorCodes.SqlServerRejectedEstablishmentOfSqlConnection)]
    [InlineData(PostgresErrorCodes.TransactionResolutionUnknown)]
    [InlineData(PostgresErrorCodes.ProtocolViolation)]
    public void EveryErrorOfAFailoverIsUnavailableAlsoInsideAnEfCoreError(string sqlState)
    {
        var error = new PostgresException("failing over", "FATAL", "FATAL", sqlState);

        Assert.True(DatabaseErrors.IsUnavailable(error));
        Assert.True(DatabaseErrors.IsUnavailable(new DbUpdateException("An error occurred while saving", error)));
    }

    [Fact]
    public void ARefusedOrBrokenConnectionIsUnavailableAndTheRequestsOwnErrorsAreNot()
    {
        Assert.True(DatabaseErrors.IsUnavailable(new NpgsqlException("Failed to connect", new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused))));
        Assert.True(DatabaseErrors.IsUnavailable(new NpgsqlException("Exception while reading from stream", new EndOfStreamException())));
        Assert.True(DatabaseErrors.IsUnavailable(new NpgsqlException("Unable to connect to a suitable host. Check inner exception for more details.",
            new AggregateException(new NpgsqlException("Failed to connect", new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused)), new TimeoutException()))));
        Assert.False(DatabaseErrors.IsUnavailable(new AggregateException(new TimeoutException(), new InvalidOperationException("a bug"))));
        foreach (var sqlState in new[] { PostgresErrorCodes.UniqueViolation, PostgresErrorCodes.UndefinedTable, PostgresErrorCodes.NumericValueOutOfRange })
            Assert.False(DatabaseErrors.IsUnavailable(new PostgresException("the request's own fault", "ERROR", "ERROR", sqlState)), sqlState);
    }

    [Fact]
    public async Task WithSeveralHostsAndNoneUpEveryRequestIsA503UntilOneIsBack()
    {
        // Two hosts (the same server twice): Npgsql's multi-host data source, whose errors, when it
        // finds no host to use, are neither PostgreSQL's nor transient for Npgsql.
        await using var api = await ApiFactory.CreateAsync(_cluster.Postgres, new Dictionary<string, string?> { ["DATABASE_HOSTNAME"] = "127.0.0.1,localhost" });
        var user = await api.CreateUserAsync();
        var post = (await user.CreatePostAsync())["id"]!.GetValue<int>();

        _cluster.Postgres.Stop("immediate");
        // The first requests find both hosts refusing; the next ones find both skipped, as recently failed.
        for (var i = 0; i < 3; i++)
        {
            await AssertUnavailableAsync(await user.Client.PostAsJsonAsync("/posts/", new { title = "no host", content = "c" }));
            await AssertUnavailableAsync(await user.VoteAsync(post, 1));
            await AssertUnavailableAsync(await user.Client.GetAsync($"/posts/{post}"));
            await AssertUnavailableAsync(await api.CreateClient().LoginAsync(user.Email));
        }
        Assert.Contains(api.Logs.Lines, line => line.Contains("No suitable host", StringComparison.Ordinal));
        AssertNoRequestFailed(api);

        _cluster.Start();
        await api.WaitUntilReadyAsync();
        await Eventually.HoldsAsync(async () => (await user.Client.PostAsJsonAsync("/posts/", new { title = "a host is back", content = "c" })).StatusCode == HttpStatusCode.Created,
            "writes resuming", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task AWriteReachingAReadOnlyServerIsA503AndReadsGoOn()
    {
        await using var api = await ApiFactory.CreateAsync(_cluster.Postgres);
        var user = await api.CreateUserAsync();
        var post = (await user.CreatePostAsync())["id"]!.GetValue<int>();

        // What a standby, or a primary demoted meanwhile, answers to a write: 25006 read_only_sql_transaction.
        await SetReadOnlyAsync(api, true);
        await AssertUnavailableAsync(await user.Client.PostAsJsonAsync("/posts/", new { title = "to a standby", content = "c" }));
        await AssertUnavailableAsync(await user.VoteAsync(post, 1));
        Assert.Equal(HttpStatusCode.OK, (await user.Client.GetAsync($"/posts/{post}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await user.Client.GetAsync("/posts/")).StatusCode);
        Assert.Contains(api.Logs.Lines, line => line.Contains("25006", StringComparison.Ordinal));
        AssertNoRequestFailed(api);

        await SetReadOnlyAsync(api, false);
        await Eventually.HoldsAsync(async () => (await user.Client.PostAsJsonAsync("/posts/", new { title = "to the primary", content = "c" })).StatusCode == HttpStatusCode.Created,
            "writes accepted again");
    }

    [Fact]
    public async Task ABackendKilledMidCommandAndTheCrashRestartAfterItAre503s()
    {
        await using var api = await ApiFactory.CreateAsync(_cluster.Postgres, new Dictionary<string, string?> { ["DATABASE_COMMAND_TIMEOUT"] = "10" });
        var user = await api.CreateUserAsync();
        user.Client.Timeout = TimeSpan.FromSeconds(20); // a hang fails the test instead of stalling it
        var post = (await user.CreatePostAsync())["id"]!.GetValue<int>();
        // Idle pooled connections, which the crash restart below ends with 57P02 crash_shutdown.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => user.Client.GetAsync($"/posts/{post}")));

        var locker = await api.OpenDatabaseAsync();
        var transaction = await locker.BeginTransactionAsync();
        await using (var lockPosts = new NpgsqlCommand("LOCK TABLE posts IN ACCESS EXCLUSIVE MODE", locker, transaction))
            await lockPosts.ExecuteNonQueryAsync();
        var waiting = user.Client.GetAsync("/posts/");
        int backend = 0;
        await Eventually.HoldsAsync(async () =>
        {
            await using var find = new NpgsqlCommand("SELECT coalesce(max(pid), 0) FROM pg_stat_activity WHERE application_name = 'social-api' AND wait_event_type = 'Lock'", locker, transaction);
            backend = (int)(await find.ExecuteScalarAsync())!;
            return backend != 0;
        }, "the request waiting for the lock");

        // SIGKILL: the connection ends mid-command without a word, and PostgreSQL restarts every other backend.
        using (var kill = System.Diagnostics.Process.Start("kill", ["-KILL", backend.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        await AssertUnavailableAsync(await waiting);
        try
        {
            await locker.DisposeAsync();
        }
        catch (NpgsqlException)
        {
            // the crash restart ended its session too
        }
        var during = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => i % 2 == 0
            ? user.Client.GetAsync($"/posts/{post}")
            : user.Client.PostAsJsonAsync("/posts/", new { title = "during the crash restart", content = "c" })));
        foreach (var response in during.Where(r => r.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.Created)))
            await AssertUnavailableAsync(response);
        AssertNoRequestFailed(api);

        await Eventually.HoldsAsync(async () => (await user.Client.PostAsJsonAsync("/posts/", new { title = "after", content = "c" })).StatusCode == HttpStatusCode.Created,
            "writes resuming after the crash restart", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task NewConnectionsRefusedByAShuttingDownServerAre503s()
    {
        await using var api = await ApiFactory.CreateAsync(_cluster.Postgres);
        var user = await api.CreateUserAsync();
        var post = (await user.CreatePostAsync())["id"]!.GetValue<int>();

        // A smart shutdown (SIGTERM to the postmaster) waits for this session, refusing new ones
        // with 57P03 cannot_connect_now meanwhile; every other session (the service's) is ended first (57P01).
        var holder = await api.OpenDatabaseAsync();
        var postmaster = File.ReadLines(Path.Combine(_cluster.Postgres.DataDirectory, "postmaster.pid")).First().Trim();
        using (var term = System.Diagnostics.Process.Start("kill", ["-TERM", postmaster]))
            await term.WaitForExitAsync();
        await using (var end = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()", holder))
            await end.ExecuteScalarAsync();

        for (var i = 0; i < 4; i++)
        {
            await AssertUnavailableAsync(await user.Client.GetAsync($"/posts/{post}"));
            await AssertUnavailableAsync(await user.Client.PostAsJsonAsync("/posts/", new { title = "while shutting down", content = "c" }));
        }
        Assert.Contains(api.Logs.Lines, line => line.Contains("57P03", StringComparison.Ordinal));
        AssertNoRequestFailed(api);

        // The last session: once it ends (not kept in the test's pool), the server stops.
        await holder.DisposeAsync();
        NpgsqlConnection.ClearPool(holder);
        await Eventually.HoldsAsync(() => !File.Exists(Path.Combine(_cluster.Postgres.DataDirectory, "postmaster.pid")), "the server stopped");
        _cluster.Start();
        await api.WaitUntilReadyAsync();
        Assert.Equal(HttpStatusCode.Created, (await user.Client.PostAsJsonAsync("/posts/", new { title = "after the restart", content = "c" })).StatusCode);
    }

    static async Task SetReadOnlyAsync(ApiFactory api, bool readOnly)
    {
        // Sessions read the setting when they start: end the service's, so its pool opens new ones.
        await using var db = await api.OpenDatabaseAsync();
        await using (var set = new NpgsqlCommand($"ALTER DATABASE \"{api.DatabaseName}\" SET default_transaction_read_only = {(readOnly ? "on" : "off")}", db))
            await set.ExecuteNonQueryAsync();
        await using (var end = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name LIKE 'social-api%'", db))
            await end.ExecuteScalarAsync();
        // The first use of an ended connection is a 503 of its own (57P01): wait until the pool has a new one.
        using var client = api.CreateClient();
        await Eventually.HoldsAsync(() => Eventually.AnswersOkAsync(client, "/health/ready"), "the pool reconnected");
    }

    static void AssertNoRequestFailed(ApiFactory api) =>
        Assert.DoesNotContain(api.Logs.Lines, line => line.Contains("Request failed", StringComparison.Ordinal));
}
