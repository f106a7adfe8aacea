using Faust.Processing;
using Faust.Runtime;

namespace Faust.Core.Tests.Processing;

public sealed class ProcessingGateTests
{
    [Fact]
    public async Task Close_WaitsForEventsInFlight_AndHoldsNewOnes()
    {
        var gate = new ProcessingGate();
        await gate.EnterAsync(default);
        var close = gate.CloseAsync(default);
        Assert.False(close.IsCompleted);
        var enter = gate.EnterAsync(default).AsTask();
        gate.Exit();
        await close.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(enter.IsCompleted);
        gate.Open();
        await enter.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task CancelledClose_ReopensTheGate()
    {
        var gate = new ProcessingGate();
        await gate.EnterAsync(default);
        using var cts = new CancellationTokenSource();
        var close = gate.CloseAsync(cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => close);
        gate.Exit();

        // Open again: a new event enters at once and a new close succeeds.
        await gate.EnterAsync(default).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        gate.Exit();
        await gate.CloseAsync(default).WaitAsync(TimeSpan.FromSeconds(5));
        gate.Open();
    }
}
