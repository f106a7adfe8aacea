using Faust.App;
using Faust.Tables;
using Faust.Topics;

namespace Faust.Core.Tests.Engine;

public sealed class SetTableTests
{
    private sealed class VisitsApp : IAsyncDisposable
    {
        private long _processed;

        public VisitsApp(string broker, string dir, string store, int changelogBuffer = 10_000, TimeSpan? commitInterval = null)
        {
            App = new FaustApp(new FaustOptions
            {
                Id = "visits", Broker = broker, DataDirectory = dir, Store = store, CommitInterval = commitInterval ?? TimeSpan.FromMilliseconds(100),
                ChangelogBufferSize = changelogBuffer,
            });
            Visits = App.Topic<string, string>("visits");   // key: page, value: "+user" or "-user"
            Visitors = App.SetTable<string, string>("visitors");
            App.Agent(Visits, async (stream, ct) =>
            {
                await foreach (var (page, change) in stream.Items().WithCancellation(ct))
                {
                    if (change[0] == '+')
                    {
                        Visitors.Add(page, change[1..]);
                    }
                    else
                    {
                        Visitors.Discard(page, change[1..]);
                    }

                    Interlocked.Increment(ref _processed);
                }
            });
        }

        public FaustApp App { get; }

        public Topic<string, string> Visits { get; }

        public SetTable<string, string> Visitors { get; }

        public long Processed => Interlocked.Read(ref _processed);

        public ValueTask DisposeAsync() => App.DisposeAsync();
    }

    [Theory]
    [InlineData("memory://")]
    [InlineData("rocksdb://")]
    public async Task AddAndDiscard_BuildSets_ThatARestartRecoversFromTheDeltas(string store)
    {
        using var dir = new TempDirectory();
        var broker = $"embedded://{dir.Path}/broker";
        await using (var first = new VisitsApp(broker, dir.Path, store))
        {
            await first.App.StartAsync();
            foreach (var change in new[] { "+ann", "+bob", "+ann", "+cid", "-bob" })
            {
                await first.Visits.SendAsync("/home", change);
            }

            await first.Visits.SendAsync("/about", "+dan");
            await first.Visits.SendAsync("/about", "-dan");
            await Eventually.TrueAsync(() => first.Processed == 7, "seven changes");
            Assert.Equal(["ann", "cid"], first.Visitors["/home"].Order());
            Assert.Empty(first.Visitors["/about"]);
            Assert.Equal(1, first.Visitors.Count);
        }

        await using var second = new VisitsApp(broker, dir.Path, store);
        await second.App.StartAsync();
        await second.App.WhenReady;
        Assert.Equal(["ann", "cid"], second.Visitors["/home"].Order());
        Assert.Empty(second.Visitors["/about"]);
        Assert.True(second.Visitors.Contains("/home", "ann"));
        Assert.False(second.Visitors.Contains("/home", "bob"));
    }

    [Theory]
    [InlineData(0, 2)]        // every change is written: add ann, discard ann
    [InlineData(10_000, 1)]   // buffered until the commit: the last operation on ann, a tombstone
    public async Task OnlyChanges_ReachTheChangelog_OneRecordPerMember(int changelogBuffer, int expectedRecords)
    {
        // Only the explicit commit below may drain the buffer: an interval commit between the add and the discard
        // would (rightly) write both.
        await using var app = new VisitsApp("memory://", Path.GetTempPath(), "memory://", changelogBuffer, commitInterval: TimeSpan.FromHours(1));
        await app.App.StartAsync();
        await app.Visits.SendAsync("/p", "+ann");
        await app.Visits.SendAsync("/p", "+ann"); // already there: no write
        await app.Visits.SendAsync("/p", "-zed"); // not there: no write
        await app.Visits.SendAsync("/p", "-ann");
        await Eventually.TrueAsync(() => app.Processed == 4, "four changes");
        await app.App.CommitAsync();

        using var reader = app.App.Worker!.Transport.CreateConsumer(null);
        long records = 0;
        for (var p = 0; p < 8; p++)
        {
            records += reader.GetWatermarks(new Faust.Transport.TopicPartition("visits-visitors-changelog", p)).High;
        }

        Assert.Equal(expectedRecords, records);
    }
}
