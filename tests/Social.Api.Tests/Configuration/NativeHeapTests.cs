using System.Runtime.InteropServices;
using Social.Api.Infrastructure;

namespace Social.Api.Tests.Configuration;

public sealed class NativeHeapTests
{
    [Fact]
    public void LargeBlocksKeepGoingBackToTheSystemOnceTheThresholdsAreFixed()
    {
        var tuned = NativeHeap.OperatorSetMalloc(Environment.GetEnvironmentVariables().Keys.OfType<string>());
        Assert.Equal(!tuned, NativeHeap.FixThresholds());
        if (tuned)
            return; // this process runs with the operator's own settings

        // Left alone, glibc would map the first block, then raise its threshold to that block's
        // size when it is freed, and serve the next ones from an arena, where their memory stays.
        for (var i = 0; i < 3; i++)
        {
            var block = Marshal.AllocHGlobal(4 << 20); // malloc, on Unix
            try
            {
                Assert.True(IsMapped(block), $"block {i + 1} came from an arena");
            }
            finally
            {
                Marshal.FreeHGlobal(block);
            }
        }
    }

    // glibc's chunk header: the size word just before the block, whose bit 1 is IS_MMAPPED.
    static bool IsMapped(nint block) => (Marshal.ReadInt64(block, -8) & 2) != 0;

    [Theory]
    [InlineData("MALLOC_ARENA_MAX", true)]
    [InlineData("MALLOC_TRIM_THRESHOLD_", true)]
    [InlineData("GLIBC_TUNABLES", true)]
    [InlineData("DOTNET_gcServer", false)]
    [InlineData("malloc_arena_max", false)]
    public void AnOperatorsMallocSettingWins(string variable, bool operatorTunes) =>
        Assert.Equal(operatorTunes, NativeHeap.OperatorSetMalloc(["PATH", variable]));
}
