using Social.Api.Auth;

namespace Social.Api.Tests.Auth;

/// <summary>The system's C bcrypt and the managed one must judge every password the same way.</summary>
public sealed class BcryptImplementationTests
{
    static readonly ManagedBcrypt Managed = new();
    static readonly NativeBcrypt Native = NativeBcrypt.TryCreate() ?? throw new InvalidOperationException("libxcrypt (libcrypt.so.1) is not available.");

    // Hashes made by the original (passlib + C bcrypt, cost 12).
    public static TheoryData<string, string> OriginalHashes => new()
    {
        { "old password 1", "$2b$12$FX0Xv/QAYazTHedLJwlj/ObHOUuhhiwZtr0xXgHnR7mF6Airmzfry" },
        { "Grüße 🚀 aus Köln", "$2b$12$nepuVbb9sSn9utODBsma2uemuRUw5L90np9szxuB1SVI1.xLvl706" },
        { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-beyond-72-bytes (bcrypt ignores this tail)", "$2b$12$AVoDLtEij2yOQaymXzKKqOPiIGVRK8BgzeHGLv49YNXw2fGrBRnKS" },
    };

    public static TheoryData<string> Passwords => new()
    {
        "", "a", "password123", "Grüße 🚀 aus Köln", new string('€', 24) + "tail", new string('x', 72), new string('x', 73),
        new string('y', 600), "with\ttab and \"quotes\"",
    };

    [Theory]
    [MemberData(nameof(OriginalHashes))]
    public void BothAcceptTheOriginalsHashesAndRejectOtherPasswords(string password, string hash)
    {
        Assert.True(Native.Verify(password, hash));
        Assert.True(Managed.Verify(password, hash));
        Assert.False(Native.Verify("x" + password, hash));
        Assert.False(Managed.Verify("x" + password, hash));
    }

    [Theory]
    [MemberData(nameof(Passwords))]
    public void EachVerifiesTheOthersHashesWithTheSameVerdicts(string password)
    {
        var byNative = Native.Hash(password, 4);
        var byManaged = Managed.Hash(password, 4);

        Assert.StartsWith("$2b$04$", byNative, StringComparison.Ordinal);
        Assert.StartsWith("$2b$04$", byManaged, StringComparison.Ordinal);
        foreach (var hash in new[] { byNative, byManaged })
        {
            Assert.True(Native.Verify(password, hash));
            Assert.True(Managed.Verify(password, hash));
            Assert.Equal(Managed.Verify(password + "!", hash), Native.Verify(password + "!", hash));
            Assert.Equal(Managed.Verify("!" + password, hash), Native.Verify("!" + password, hash));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a hash")]
    [InlineData("$2b$04$short")]
    [InlineData("$1$md5$salt")]
    public void NeitherAcceptsAnythingAgainstAMalformedHash(string hash)
    {
        Assert.False(Native.Verify("password", hash));
        Assert.False(Managed.Verify("password", hash));
    }
}
