using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Faust.Bench;

/// <summary>
/// What a benchmark's app logs, on stderr with the time since the benchmark started: nothing by default (a logger
/// costs time on the measured path), Information and above with <c>--log</c>, so a run that fails its totals check
/// shows the rebalances, lost partitions and refused commits that led there.
/// </summary>
internal sealed class BenchLog : ILoggerFactory, ILoggerProvider
{
    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    private BenchLog()
    {
    }

    public static ILoggerFactory Create(bool enabled) => enabled ? new BenchLog() : NullLoggerFactory.Instance;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Console.Error.WriteLine($"[{Clock.Elapsed.TotalSeconds,8:F3} {logLevel,-11} {category}] {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");
            }
        }
    }
}
