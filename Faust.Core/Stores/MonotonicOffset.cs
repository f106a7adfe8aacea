namespace Faust.Stores;

// A store's applied changelog offset only moves forward, whichever thread reports a delivery first.
internal static class MonotonicOffset
{
    public static void Advance(ref long field, long offset)
    {
        var current = Interlocked.Read(ref field);
        while (offset > current)
        {
            var seen = Interlocked.CompareExchange(ref field, offset, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
