using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Faust.Web.Tests.Kafka;

// Collects a worker's log lines (Information and up) so a failing multi-worker test can say what each worker did.
public sealed class WorkerLogs(string name) : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public string Dump() => string.Join("\n", _lines);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(WorkerLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information && category.StartsWith("Faust", StringComparison.Ordinal);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner._lines.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {owner.Name} {logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " | " + exception.Message)}");
            }
        }
    }

    public string Name => name;
}
