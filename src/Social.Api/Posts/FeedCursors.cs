using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Social.Api.Infrastructure;

namespace Social.Api.Posts;

/// <summary>
/// Where the next page of a list starts: the sort keys of the last item served. <see cref="Key"/>
/// is the sort's own key (created_at as UTC ticks, the vote count, the hot rank's bits; unused in
/// the id order), <see cref="Id"/> breaks its ties.
/// </summary>
public readonly record struct FeedKeys(long Key, int Id);

/// <summary>
/// Which list a cursor belongs to. <paramref name="OwnerId"/> is null for all posts, else the user
/// whose posts are listed.
/// </summary>
public readonly record struct FeedList(FeedSort Sort, TopWindow Window, string Search, int? OwnerId);

/// <summary>
/// Opaque, tamper-proof cursors: the keys, then an HMAC-SHA256 (truncated to 128 bits) over the keys
/// and everything that defines the list, so a cursor only continues the list it came from. The key
/// is derived from SECRET_KEY with HKDF under a label of its own, so it is never the token key;
/// a new SECRET_KEY makes outstanding cursors invalid (422: clients start again from page one).
/// </summary>
public sealed class FeedCursors(Settings settings)
{
    const byte Version = 1;
    const int MacLength = 16, KeysLength = 1 + 8 + 4, Length = KeysLength + MacLength;

    readonly byte[] _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, settings.Tokens.SigningKeyBytes(), 32,
        salt: [], info: "social-api feed cursor v1"u8.ToArray());

    public string Encode(FeedList list, FeedKeys keys)
    {
        Span<byte> cursor = stackalloc byte[Length];
        WriteKeys(cursor, keys);
        Mac(list, cursor[..KeysLength], cursor[KeysLength..]);
        return Base64Url.EncodeToString(cursor);
    }

    /// <summary>The keys of a cursor issued for <paramref name="list"/>, or the reason it is refused.</summary>
    public FeedKeys? Decode(FeedList list, string text, out ValidationError? error)
    {
        Span<byte> cursor = stackalloc byte[Length + 3];
        // The OperationStatus form: TryDecodeFromChars throws on a character outside the alphabet.
        if (text.Length > 2 * Length || Base64Url.DecodeFromChars(text, cursor, out _, out var written) != OperationStatus.Done
            || written != Length || cursor[0] != Version)
        {
            error = Refused("cursor is malformed or truncated: pass the cursor of a Link header unchanged", "malformed");
            return null;
        }
        Span<byte> expected = stackalloc byte[MacLength];
        Mac(list, cursor[..KeysLength], expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, cursor[KeysLength..Length]))
        {
            error = Refused("cursor does not belong to this list (another sort, t, search or user), was altered, or predates a change of SECRET_KEY: start again from the first page", "foreign");
            return null;
        }
        error = null;
        return new FeedKeys(BinaryPrimitives.ReadInt64BigEndian(cursor[1..]), BinaryPrimitives.ReadInt32BigEndian(cursor[9..]));
    }

    static void WriteKeys(Span<byte> cursor, FeedKeys keys)
    {
        cursor[0] = Version;
        BinaryPrimitives.WriteInt64BigEndian(cursor[1..], keys.Key);
        BinaryPrimitives.WriteInt32BigEndian(cursor[9..], keys.Id);
    }

    // Fixed-size fields first, then the search text, so no two lists share an input.
    void Mac(FeedList list, ReadOnlySpan<byte> keys, Span<byte> mac)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
        Span<byte> scope = stackalloc byte[7];
        scope[0] = (byte)list.Sort;
        scope[1] = (byte)list.Window;
        scope[2] = list.OwnerId is null ? (byte)0 : (byte)1;
        BinaryPrimitives.WriteInt32BigEndian(scope[3..], list.OwnerId ?? 0);
        hmac.AppendData(keys);
        hmac.AppendData(scope);
        hmac.AppendData(Encoding.UTF8.GetBytes(list.Search));
        Span<byte> full = stackalloc byte[32];
        hmac.GetHashAndReset(full);
        full[..MacLength].CopyTo(mac);
    }

    static ValidationError Refused(string message, string kind) => new(["query", "cursor"], message, $"value_error.cursor.{kind}");
}
