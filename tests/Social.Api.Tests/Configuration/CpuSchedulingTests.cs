using System.Globalization;
using System.Runtime.InteropServices;
using Social.Api.Infrastructure;
using Social.Api.Tests.Infrastructure;

namespace Social.Api.Tests.Configuration;

/// <summary>BATCH_SCHEDULING: the real process's threads run under SCHED_BATCH, unless turned off or set otherwise by an operator.</summary>
public sealed class CpuSchedulingTests(TestEnvironment env)
{
    const int SchedIdle = 5;

    [Fact]
    public async Task EveryThreadOfTheServiceRunsUnderSchedBatchIncludingThoseStartedUnderLoad()
    {
        var policies = await PoliciesUnderLoadAsync(new Dictionary<string, string>());

        Assert.All(policies, thread => Assert.Equal((thread.Name, CpuScheduling.Batch), (thread.Name, thread.Policy)));
    }

    [Fact]
    public async Task BatchSchedulingFalseLeavesEveryThreadOnTheDefaultPolicy()
    {
        var policies = await PoliciesUnderLoadAsync(new Dictionary<string, string> { ["BATCH_SCHEDULING"] = "false" });

        Assert.All(policies, thread => Assert.Equal((thread.Name, CpuScheduling.Other), (thread.Name, thread.Policy)));
    }

    [Fact]
    public void AThreadOnTheDefaultPolicyIsMovedAndOneAnOperatorSetIsKept()
    {
        // On threads of their own, which end at once: the test runner's other threads are left alone.
        var (movedDefault, defaultNow) = OnNewThread(thread => (CpuScheduling.MoveToBatch(thread), CpuScheduling.PolicyOf(thread)));
        var (movedIdle, idleNow) = OnNewThread(thread =>
        {
            var noPriority = 0;
            return SetScheduler(thread, SchedIdle, ref noPriority) == 0
                ? (CpuScheduling.MoveToBatch(thread), CpuScheduling.PolicyOf(thread))
                : (true, -1);
        });

        Assert.Equal((true, CpuScheduling.Batch), (movedDefault, defaultNow));
        Assert.Equal((false, SchedIdle), (movedIdle, idleNow));
    }

    async Task<List<(string Name, int Policy)>> PoliciesUnderLoadAsync(Dictionary<string, string> environment)
    {
        var (service, url, _) = await ServiceProcess.StartOnNewDatabaseAsync(env, "sched", environment);
        using (service)
        {
            // Many requests at once, so the thread pool grows after start-up.
            using var client = new HttpClient { BaseAddress = new Uri(url) };
            await Task.WhenAll(Enumerable.Range(0, 200).Select(i => client.GetAsync($"/users/{i}")));

            var tasks = $"/proc/{service.Id}/task";
            var threads = Directory.EnumerateDirectories(tasks)
                .Select(task => (Name: File.ReadAllText(Path.Combine(task, "comm")).Trim(),
                                 Policy: CpuScheduling.PolicyOf(int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture))))
                .Where(thread => thread.Policy != -1) // ended meanwhile
                .ToList();
            Assert.True(threads.Count > 10, $"only {threads.Count} threads");
            return threads;
        }
    }

    static T OnNewThread<T>(Func<int, T> action)
    {
        T result = default!;
        var thread = new Thread(() => result = action(GetThreadId()));
        thread.Start();
        thread.Join();
        return result;
    }

    // DllImport: LibraryImport would need unsafe code in this project, for two blittable calls.
    [DllImport("libc", EntryPoint = "gettid")]
    static extern int GetThreadId();

    [DllImport("libc", EntryPoint = "sched_setscheduler")]
    static extern int SetScheduler(int thread, int policy, ref int priority);
}
