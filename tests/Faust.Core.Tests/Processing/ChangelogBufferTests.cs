using Faust.Processing;
using Faust.Runtime;
using Faust.Transport;

namespace Faust.Core.Tests.Processing;

public sealed class ChangelogBufferTests
{
    private static readonly TopicPartition P0 = new("app-t-changelog", 0);
    private static readonly TopicPartition P1 = new("app-t-changelog", 1);

    [Fact]
    public void KeepsTheLastValuePerKeyAndPartition()
    {
        var buffer = new ChangelogBuffer(100);
        buffer.Add(P0, "a"u8.ToArray(), "1"u8.ToArray());
        buffer.Add(P0, "a"u8.ToArray(), "2"u8.ToArray());
        buffer.Add(P0, "b"u8.ToArray(), null);
        buffer.Add(P1, "a"u8.ToArray(), "9"u8.ToArray());
        Assert.Equal(3, buffer.Count);
        var drained = buffer.Drain();
        Assert.Equal("2"u8.ToArray(), drained[P0]["a"u8.ToArray()]);
        Assert.Null(drained[P0]["b"u8.ToArray()]);
        Assert.Equal("9"u8.ToArray(), drained[P1]["a"u8.ToArray()]);
        Assert.Equal(0, buffer.Count);
    }

    [Fact]
    public void SaysWhenFull_AndDropsRevokedPartitions()
    {
        var buffer = new ChangelogBuffer(2);
        Assert.False(buffer.Add(P0, "a"u8.ToArray(), "1"u8.ToArray()));
        Assert.False(buffer.Add(P0, "a"u8.ToArray(), "2"u8.ToArray()));
        Assert.True(buffer.Add(P1, "b"u8.ToArray(), "1"u8.ToArray()));
        buffer.Drop([1]);
        Assert.Equal(1, buffer.Count);
        Assert.False(buffer.Drain().ContainsKey(P1));
    }
}
