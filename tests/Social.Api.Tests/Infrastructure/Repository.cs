using Social.Api.Infrastructure;

namespace Social.Api.Tests.Infrastructure;

public static class Repository
{
    /// <summary>The checkout's root folder (the one holding Social.slnx).</summary>
    public static string Root { get; } = Hosting.CheckoutRootAbove(AppContext.BaseDirectory)
        ?? throw new InvalidOperationException("The tests run outside the checkout.");

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);
}
