using Faust.Runtime;

namespace Faust.Agents;

// OneForAll supervision: every run of an actor is tied to the group's current generation; restarting the group
// ends the generation, so every actor's stream ends (after the event it is processing) and the actor starts again.
internal sealed class ActorGroup
{
    private CancellationTokenSource _generation = new();

    public CancellationToken Token => Volatile.Read(ref _generation).Token;

    public void RestartAll()
    {
        // The old source is not disposed: actors may still be linking to its token.
        Interlocked.Exchange(ref _generation, new CancellationTokenSource()).Cancel();
    }
}
