using System.Threading.Channels;
using Npgsql;

namespace Social.Api.Data;

/// <summary>One write: a single statement, its positional parameters ($1, $2…) and the order its locks are taken in.</summary>
/// <param name="LockOrder">
/// The id of the row the statement locks first (a vote locks its post); 0 when it takes no lock
/// another write could wait for. Statements committed together run in this order.
/// </param>
public sealed record Write(string Sql, int LockOrder, params object[] Values)
{
    /// <summary>The statement returns a row (RETURNING), which <see cref="Written.Row"/> holds.</summary>
    public bool Returning { get; init; }

    public NpgsqlBatchCommand Command()
    {
        var command = new NpgsqlBatchCommand(Sql);
        foreach (var value in Values)
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        return command;
    }
}

/// <summary>What a write did: the rows it changed, and the first row it returned (RETURNING), if any.</summary>
public readonly record struct Written(int RecordsAffected, object[]? Row);

/// <summary>
/// Commits concurrent single-statement writes (new posts, votes) together: the statements waiting
/// are sent as one batch, which PostgreSQL runs as one transaction, so one round trip and one
/// commit (one flush of the write-ahead log) serve them all. Alone, a write is sent at once, as
/// the very statement it would be on its own. Each caller is answered after the commit that holds
/// its write, so a write that was answered is durable, as before.
/// <para>
/// The statements of a batch run in the order of the rows they lock (see <see cref="Write.LockOrder"/>),
/// so two batches in flight take their locks in the same order and cannot deadlock each other. When
/// a statement fails (a constraint, a lock conflict with another program), the whole batch rolls
/// back and each of its writes runs again on its own, in the same order, so it fails alone, with
/// its own error.
/// </para>
/// Measured with wrk (16 connections, standard data set), alternating with the one-statement-per-
/// commit version: new posts 4.8-6.2k -> 8.0-8.2k per second and votes 4.1-4.9k -> 5.8k, with p99
/// halved; the database spends half the CPU per post.
/// </summary>
public sealed class GroupCommit : BackgroundService
{
    /// <summary>The most writes one commit holds.</summary>
    const int MaxBatch = 64;

    /// <summary>
    /// Batches in flight at once: while one waits for its commit to be flushed, the next gathers
    /// the writes that arrive meanwhile.
    /// </summary>
    const int Committers = 2;

    readonly NpgsqlDataSource _database;
    readonly ILogger<GroupCommit> _logger;
    readonly Channel<Pending> _writes = Channel.CreateUnbounded<Pending>();

    public GroupCommit(NpgsqlDataSource database, ILogger<GroupCommit> logger)
    {
        _database = database;
        _logger = logger;
    }

    // As in PostReader, the callers' continuations run on the committer as it answers them: each
    // response is written without another trip through the thread pool. They never wait for the
    // committer, so this cannot deadlock.
    sealed class Pending(Write write) : TaskCompletionSource<Written>(TaskCreationOptions.None)
    {
        public Write Write { get; } = write;
    }

    /// <summary>Runs the statement in a transaction shared with the writes that arrive meanwhile, and returns once it is committed.</summary>
    public async Task<Written> ExecuteAsync(Write write, CancellationToken cancellationToken)
    {
        var pending = new Pending(write);
        if (!_writes.Writer.TryWrite(pending))
            return await ExecuteAloneAsync(write, cancellationToken); // stopping: on its own
        // A write whose client leaves before a committer takes it is dropped; once taken, it is
        // committed whether or not anyone is still waiting for the answer.
        await using var left = cancellationToken.UnsafeRegister(static p => ((Pending)p!).TrySetCanceled(), pending);
        return await pending.Task;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // New writes run on their own; the committers finish those already queued, then end.
        _writes.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    // Not stopped by the stopping token: the loops end once the queue is closed and empty, so no
    // queued write is left unanswered. Each batch is bounded by the command timeout.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, Committers).Select(_ => Task.Run(CommitLoopAsync, CancellationToken.None)));

    async Task CommitLoopAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        var queue = _writes.Reader;
        while (await queue.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < MaxBatch && queue.TryRead(out var pending))
            {
                // One already completed was cancelled: its client has left.
                if (!pending.Task.IsCompleted)
                    batch.Add(pending);
            }
            if (batch.Count > 0)
                await CommitAsync(batch);
            batch.Clear();
        }
    }

    async Task CommitAsync(List<Pending> batch)
    {
        // Stable: writes that lock the same row keep the order they arrived in.
        var ordered = batch.OrderBy(pending => pending.Write.LockOrder).ToList();
        Written[] results;
        try
        {
            results = await ExecuteBatchAsync(ordered.Select(pending => pending.Write).ToList(), CancellationToken.None);
        }
        catch (PostgresException e) when (ordered.Count > 1)
        {
            // The server refused a statement (a constraint, a deadlock with another program…) and
            // rolled the batch back: each write runs again on its own and meets its own fate.
            _logger.LogDebug(e, "A batch of {Count} writes failed; each runs on its own", ordered.Count);
            foreach (var pending in ordered)
                await RunAloneAsync(pending);
            return;
        }
        catch (Exception e)
        {
            // Each caller answers with the failure (an unreachable database becomes its 503).
            foreach (var pending in ordered)
                pending.TrySetException(e);
            return;
        }
        for (var i = 0; i < ordered.Count; i++)
            ordered[i].TrySetResult(results[i]);
    }

    async Task RunAloneAsync(Pending pending)
    {
        try
        {
            pending.TrySetResult(await ExecuteAloneAsync(pending.Write, CancellationToken.None));
        }
        catch (Exception e)
        {
            pending.TrySetException(e);
        }
    }

    async Task<Written> ExecuteAloneAsync(Write write, CancellationToken cancellationToken) =>
        (await ExecuteBatchAsync([write], cancellationToken))[0];

    async Task<Written[]> ExecuteBatchAsync(List<Write> writes, CancellationToken cancellationToken)
    {
        await using var batch = _database.CreateBatch();
        foreach (var write in writes)
            batch.BatchCommands.Add(write.Command());

        // Result sets come in statement order; statements without RETURNING may have none.
        var rows = new Queue<object[]?>();
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            do
            {
                if (reader.FieldCount == 0)
                    continue;
                object[]? row = null;
                if (await reader.ReadAsync(cancellationToken))
                    reader.GetValues(row = new object[reader.FieldCount]);
                rows.Enqueue(row);
            } while (await reader.NextResultAsync(cancellationToken));
        }

        var results = new Written[writes.Count];
        for (var i = 0; i < writes.Count; i++)
            results[i] = new Written(batch.BatchCommands[i].RecordsAffected, writes[i].Returning ? rows.Dequeue() : null);
        return results;
    }

    public override void Dispose()
    {
        _writes.Writer.TryComplete(); // disposed without being stopped: the loops still end
        base.Dispose();
    }
}
