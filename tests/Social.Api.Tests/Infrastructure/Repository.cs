namespace Social.Api.Tests.Infrastructure;

public static class Repository
{
    /// <summary>The checkout's root folder (the one holding Social.slnx).</summary>
    public static string Root { get; } = FindRoot();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Social.slnx")))
                return dir.FullName;
        }
        throw new InvalidOperationException("The tests run outside the checkout.");
    }
}
