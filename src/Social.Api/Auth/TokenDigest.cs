using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Social.Api.Auth;

/// <summary>
/// The SHA-256 of a token as sent (its compact form): what <c>revoked_tokens</c> stores, so the
/// table never holds a usable token. A value type, so looking one up allocates nothing.
/// </summary>
public readonly record struct TokenDigest(UInt128 High, UInt128 Low)
{
    public const int Length = 32;

    public static TokenDigest Of(string token)
    {
        // Tokens are short ASCII; a huge one (up to the header limit) is hashed from the heap.
        var size = Encoding.UTF8.GetMaxByteCount(token.Length);
        Span<byte> buffer = size <= 1024 ? stackalloc byte[size] : new byte[size];
        var written = Encoding.UTF8.GetBytes(token, buffer);
        Span<byte> hash = stackalloc byte[Length];
        SHA256.HashData(buffer[..written], hash);
        return FromBytes(hash);
    }

    public static TokenDigest FromBytes(ReadOnlySpan<byte> bytes) =>
        new(BinaryPrimitives.ReadUInt128BigEndian(bytes), BinaryPrimitives.ReadUInt128BigEndian(bytes[16..]));

    /// <summary>From the hex text of an announcement; false for anything else.</summary>
    public static bool TryParseHex(string hex, out TokenDigest digest)
    {
        Span<byte> bytes = stackalloc byte[Length];
        digest = default;
        if (hex.Length != Length * 2 || Convert.FromHexString(hex, bytes, out _, out var written) != System.Buffers.OperationStatus.Done || written != Length)
            return false;
        digest = FromBytes(bytes);
        return true;
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[Length];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, High);
        BinaryPrimitives.WriteUInt128BigEndian(bytes.AsSpan(16), Low);
        return bytes;
    }
}
