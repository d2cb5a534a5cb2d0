using Social.Api.Auth;

namespace Social.Api.Tests.Auth;

/// <summary>Hashes made by the original and by earlier versions of this service keep verifying.</summary>
public sealed class PasswordHashTests
{
    public static TheoryData<string, string> KnownHashes => new()
    {
        // The original (passlib over C bcrypt, cost 12), from the original's schema notes.
        { "old password 1", "$2b$12$FX0Xv/QAYazTHedLJwlj/ObHOUuhhiwZtr0xXgHnR7mF6Airmzfry" },
        { "Grüße 🚀 aus Köln", "$2b$12$nepuVbb9sSn9utODBsma2uemuRUw5L90np9szxuB1SVI1.xLvl706" },
        { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-beyond-72-bytes (bcrypt ignores this tail)", "$2b$12$AVoDLtEij2yOQaymXzKKqOPiIGVRK8BgzeHGLv49YNXw2fGrBRnKS" },
        // Earlier versions of this service, which hashed with the system's libxcrypt when present.
        { "earlier version, native", "$2b$12$CkhRQrTCLJgfMVzZewhuPO4Q9f4y6Rk1Y4FdVK/VKUMGEWmjzHY5y" },
        { "Grüße 🚀 aus Köln", "$2b$12$4xisMd3pVPXLCoJ/CEIL1.lA8JNzvqyIES1r59paEo7fKSE8lSzCS" },
    };

    [Theory]
    [MemberData(nameof(KnownHashes))]
    public void KnownHashesAcceptTheirPasswordAndNoOther(string password, string hash)
    {
        Assert.True(PasswordHasher.Verify(password, hash));
        Assert.False(PasswordHasher.Verify("x" + password, hash));
        Assert.False(PasswordHasher.Verify(password[1..], hash));
    }

    [Theory]
    [InlineData("")]
    [InlineData("password123")]
    [InlineData("Grüße 🚀 aus Köln")]
    [InlineData("a password well beyond five hundred and eleven bytes, which libxcrypt refused: ................................................................................................................................................................................................................................................................................................................................................................................................................................................................")]
    public void NewHashesAreStandardBcryptThatVerify(string password)
    {
        var hash = PasswordHasher.Hash(password, 4);

        Assert.Matches(@"^\$2b\$04\$[./A-Za-z0-9]{53}$", hash);
        Assert.True(PasswordHasher.Verify(password, hash));
        Assert.False(PasswordHasher.Verify("!" + password, hash));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a hash")]
    [InlineData("$2b$04$short")]
    [InlineData("$1$md5$salt")]
    public void NothingMatchesAMalformedHash(string hash) => Assert.False(PasswordHasher.Verify("password", hash));
}
