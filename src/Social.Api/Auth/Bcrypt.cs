using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using BCrypt.Net;

namespace Social.Api.Auth;

/// <summary>Standard bcrypt (<c>$2b$</c>): make a hash, check a password against one.</summary>
public interface IBcrypt
{
    string Name { get; }
    string Hash(string password, int cost);
    bool Verify(string password, string hash);
}

/// <summary>BCrypt.Net-Next's standard API (not its "enhanced" pre-hashing mode, which plain bcrypt cannot verify).</summary>
public sealed class ManagedBcrypt : IBcrypt
{
    public string Name => "BCrypt.Net-Next";

    public string Hash(string password, int cost) =>
        BCrypt.Net.BCrypt.HashPassword(password, BCrypt.Net.BCrypt.GenerateSalt(cost, 'b'));

    public bool Verify(string password, string hash)
    {
        try
        {
            return BCrypt.Net.BCrypt.Verify(password, hash);
        }
        catch (Exception e) when (e is SaltParseException or ArgumentException)
        {
            return false; // not a bcrypt hash (an imported or damaged row): no password matches it
        }
    }
}

/// <summary>
/// The system's C bcrypt (libxcrypt's <c>crypt_rn</c>, on Debian and most glibc systems): the same
/// implementation family as the original's, and about a fifth faster than the managed one. Phrases
/// libxcrypt refuses (over 512 bytes) go to the managed implementation, which judges them the same
/// way (only the first 72 bytes count).
/// </summary>
public sealed partial class NativeBcrypt : IBcrypt
{
    const string Library = "libcrypt.so.1";
    const int DataSize = 32768;       // sizeof(struct crypt_data)
    const int OutputSize = 384;       // CRYPT_OUTPUT_SIZE: the hash is written at the start of crypt_data
    const int MaxPhraseBytes = 511;   // CRYPT_MAX_PASSPHRASE_SIZE, less the terminating NUL

    readonly ManagedBcrypt _fallback = new();

    NativeBcrypt() { }

    public string Name => "libxcrypt (native)";

    /// <summary>The native implementation when the library is present and gives the managed one's answers.</summary>
    public static NativeBcrypt? TryCreate()
    {
        try
        {
            var native = new NativeBcrypt();
            // A cheap self-check (cost 4): same salt, same hash as the managed implementation.
            var expected = BCrypt.Net.BCrypt.HashPassword("self-check ü", "$2b$04$abcdefghijklmnopqrstuu");
            return Crypt("self-check ü", "$2b$04$abcdefghijklmnopqrstuu") == expected ? native : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return null;
        }
    }

    public string Hash(string password, int cost)
    {
        if (Encoding.UTF8.GetByteCount(password) > MaxPhraseBytes)
            return _fallback.Hash(password, cost);
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        Span<byte> setting = stackalloc byte[OutputSize];
        if (CryptGensaltRn("$2b$"u8, (nuint)cost, random, random.Length, setting, setting.Length) == 0)
            throw new CryptographicException("crypt_gensalt_rn failed.");
        return Crypt(password, CString(setting)) ?? throw new CryptographicException("crypt_rn failed.");
    }

    public bool Verify(string password, string hash)
    {
        if (Encoding.UTF8.GetByteCount(password) > MaxPhraseBytes)
            return _fallback.Verify(password, hash);
        var computed = Crypt(password, hash);
        return computed is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(computed), Encoding.ASCII.GetBytes(hash));
    }

    // crypt_rn(phrase, setting): null when the setting is not a hash it understands.
    static string? Crypt(string password, string setting)
    {
        var data = new byte[DataSize];
        var result = CryptRn(NulTerminated(password), NulTerminated(setting), data, data.Length);
        return result == 0 ? null : CString(data.AsSpan(0, OutputSize));
    }

    static byte[] NulTerminated(string text)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }

    static string CString(ReadOnlySpan<byte> bytes)
    {
        var end = bytes.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? bytes : bytes[..end]);
    }

    [LibraryImport(Library, EntryPoint = "crypt_rn")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial nint CryptRn(ReadOnlySpan<byte> phrase, ReadOnlySpan<byte> setting, Span<byte> data, int size);

    [LibraryImport(Library, EntryPoint = "crypt_gensalt_rn")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial nint CryptGensaltRn(ReadOnlySpan<byte> prefix, nuint count, ReadOnlySpan<byte> randomBytes, int randomCount, Span<byte> output, int size);
}
