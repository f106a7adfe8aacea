namespace Faust.Runtime;

/// <summary>Something that runs beside the worker for as long as it runs: an agent or a scheduled task.</summary>
internal interface IWorkerTask
{
    /// <summary>The name in logs.</summary>
    string Name { get; }

    /// <summary>Runs until <paramref name="stopping"/> fires.</summary>
    Task RunAsync(IWorkerRuntime worker, CancellationToken stopping);
}
