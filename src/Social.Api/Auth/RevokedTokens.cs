using System.Collections.Concurrent;
using System.Globalization;
using Npgsql;
using Social.Api.Data;

namespace Social.Api.Auth;

/// <summary>
/// How logged-out tokens are kept: how often those of expired tokens are deleted, and how many
/// are held in memory at most (a few MB at the default). Not environment settings: the defaults
/// are what production runs, tests make them small.
/// </summary>
public sealed record RevocationSettings(TimeSpan PruneEvery, int MemoryCapacity)
{
    public static readonly RevocationSettings Default = new(TimeSpan.FromMinutes(1), 100_000);
}

/// <summary>
/// Tokens logged out before their expiry (table <c>revoked_tokens</c>: the SHA-256 of the token and
/// its expiry), held in memory on every instance so that checking a token costs no round trip. The
/// table's insert trigger announces each one (<see cref="Announcements"/>), the listener loads the
/// table once it listens, and misses are trusted under the same rule as <see cref="KnownUsers"/>:
/// only while a heartbeat came back within the staleness bound. Otherwise, and while revocations
/// were left out for want of room, a token not found here is looked up in the table.
/// </summary>
public sealed class RevokedTokens(KnownUsers users, RevocationSettings settings)
{
    /// <summary>The channel of the insert trigger; payload: the digest in hex, a space, the expiry in Unix seconds.</summary>
    public const string Announcements = "social_tokens_revoked";

    readonly ConcurrentDictionary<TokenDigest, long> _revoked = new(); // the token's expiry, Unix seconds
    int _count;
    long _losses; // times a revocation may have gone unheld: the listener stopped, or the set was full
    volatile bool _complete;

    /// <summary>Whether every revocation announced so far is held (false until the first load).</summary>
    public bool Complete => _complete;

    public int Count => Volatile.Read(ref _count);

    /// <summary>Whether another revocation would be held.</summary>
    public bool HasRoom => Count < settings.MemoryCapacity;

    public async ValueTask<bool> IsRevokedAsync(TokenDigest digest, IServiceProvider requestServices, CancellationToken cancellationToken)
    {
        if (_revoked.ContainsKey(digest))
            return true; // a revocation is never taken back, so a hit needs no exactness
        if (_complete && users.Exact)
            return false;
        await using var lookup = requestServices.GetRequiredService<NpgsqlDataSource>()
            .Command("SELECT EXISTS (SELECT 1 FROM revoked_tokens WHERE digest = $1)", digest.ToBytes());
        return (bool)(await lookup.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Revokes a token until <paramref name="expires"/>: here at once, everywhere else through the table's announcement.</summary>
    public async Task RevokeAsync(TokenDigest digest, DateTime expires, NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        await using var insert = database.Command(
            "INSERT INTO revoked_tokens (digest, expires_at) VALUES ($1, $2) ON CONFLICT (digest) DO NOTHING",
            digest.ToBytes(), DateTime.SpecifyKind(expires, DateTimeKind.Utc));
        await insert.ExecuteNonQueryAsync(cancellationToken);
        Hold(digest, new DateTimeOffset(DateTime.SpecifyKind(expires, DateTimeKind.Utc)).ToUnixTimeSeconds());
    }

    /// <summary>An announcement of the insert trigger; anything unreadable is ignored (only the trigger sends on the channel).</summary>
    public void Heard(string payload)
    {
        var parts = payload.Split(' ');
        if (parts.Length == 2 && TokenDigest.TryParseHex(parts[0], out var digest)
            && long.TryParse(parts[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var expires))
            Hold(digest, expires);
    }

    /// <summary>
    /// Reads every unexpired revocation. The listener calls it once it listens, before its first
    /// heartbeat, so that the set and the announcements together miss nothing.
    /// </summary>
    public async Task LoadAsync(NpgsqlConnection connection, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var lossesBefore = Interlocked.Read(ref _losses);
        await using var select = new NpgsqlCommand("SELECT digest, expires_at FROM revoked_tokens WHERE expires_at > $1", connection)
        {
            Parameters = { new NpgsqlParameter<DateTime> { TypedValue = now.UtcDateTime } },
        };
        try
        {
            await using var rows = await select.ExecuteReaderAsync(cancellationToken);
            while (await rows.ReadAsync(cancellationToken))
                Hold(TokenDigest.FromBytes(rows.GetFieldValue<byte[]>(0)), new DateTimeOffset(rows.GetDateTime(1)).ToUnixTimeSeconds());
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            // Not migrated yet: nothing can have been revoked, and what is from now on is heard.
        }
        if (Interlocked.Read(ref _losses) == lossesBefore)
            _complete = true;
    }

    /// <summary>Drops what has expired (a token past its exp is refused anyway); returns how many.</summary>
    public int ForgetExpired(DateTimeOffset now)
    {
        var nowSeconds = now.ToUnixTimeSeconds();
        var forgotten = 0;
        foreach (var (digest, expires) in _revoked)
        {
            if (expires < nowSeconds && _revoked.TryRemove(new KeyValuePair<TokenDigest, long>(digest, expires)))
            {
                Interlocked.Decrement(ref _count);
                forgotten++;
            }
        }
        return forgotten;
    }

    /// <summary>Announcements could go unheard: misses are looked up until the listener has loaded the table again.</summary>
    public void NotListening()
    {
        Interlocked.Increment(ref _losses);
        _complete = false;
    }

    // Past the capacity a revocation is not held; the set is then incomplete, and tokens it does not
    // hold are looked up in the table until a pruning has made room and reloaded it.
    void Hold(TokenDigest digest, long expires)
    {
        if (_revoked.ContainsKey(digest))
            return;
        if (Interlocked.Increment(ref _count) > settings.MemoryCapacity)
        {
            Interlocked.Decrement(ref _count);
            NotListening(); // not held: misses go to the table until a pruning reloads it
            return;
        }
        if (!_revoked.TryAdd(digest, expires))
            Interlocked.Decrement(ref _count);
    }
}
