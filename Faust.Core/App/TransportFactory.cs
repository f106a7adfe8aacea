using Faust.Transport;
using Faust.Transport.Embedded;
using Faust.Transport.Kafka;
using Faust.Transport.Log;
using Microsoft.Extensions.Logging;

namespace Faust.App;

/// <summary>Creates the transport a <c>Faust:Broker</c> URL names.</summary>
internal static class TransportFactory
{
    private static readonly Dictionary<string, (LogBroker Broker, int Leases)> Shared = new(StringComparer.Ordinal);

    public static ITransport Create(FaustOptions options, ILoggerFactory loggerFactory)
    {
        if (!BrokerUrl.TryParse(options.Broker, out var url, out var error))
        {
            throw new InvalidOperationException(error);
        }

        var logger = loggerFactory.CreateLogger("Faust.Transport");
        switch (url!.Kind)
        {
            case BrokerKind.Memory when url.Location.Length == 0:
                return LogBroker.CreateInMemory(logger: logger);
            case BrokerKind.Memory:
                return Lease("memory:" + url.Location, () => LogBroker.CreateInMemory(url.Location, logger));
            case BrokerKind.Embedded:
                var directory = Path.GetFullPath(url.Location.Length > 0 ? url.Location : Path.Combine(options.ResolvedDataDirectory, "broker"));
                return Lease("embedded:" + directory, () =>
                {
                    Directory.CreateDirectory(directory);
                    return LogBroker.CreateDurable("embedded", RocksDbLogPersistence.Open(directory), logger);
                });
            default:
                return CreateKafka(options, url.Location, loggerFactory);
        }
    }

    /// <summary>A Kafka transport for the app's settings at <paramref name="bootstrapServers"/>.</summary>
    public static KafkaTransport CreateKafka(FaustOptions options, string bootstrapServers, ILoggerFactory loggerFactory)
    {
        var settings = new KafkaSettings((options.Kafka ?? new KafkaOptions()).ToClientProperties(), options.Id, options.GroupId, bootstrapServers,
            WorkerIdentity.Resolve(options, persist: true));
        return new KafkaTransport(settings, loggerFactory);
    }

    // Brokers in one process are shared by name (two apps of a test on memory://name, or a host restarted on the
    // same embedded directory) and closed when the last user lets go.
    private static SharedTransport Lease(string key, Func<LogBroker> open)
    {
        lock (Shared)
        {
            if (!Shared.TryGetValue(key, out var entry))
            {
                entry = (open(), 0);
            }

            Shared[key] = (entry.Broker, entry.Leases + 1);
            return new SharedTransport(entry.Broker, () => Release(key));
        }
    }

    private static void Release(string key)
    {
        lock (Shared)
        {
            var (broker, leases) = Shared[key];
            if (leases > 1)
            {
                Shared[key] = (broker, leases - 1);
                return;
            }

            Shared.Remove(key);
            broker.Dispose();
        }
    }

    private sealed class SharedTransport(LogBroker broker, Action release) : ITransport
    {
        private int _released;

        public Task<int> EnsureTopicAsync(TopicSpec spec, CancellationToken ct = default) => broker.EnsureTopicAsync(spec, ct);

        public int? GetPartitionCount(string topic) => broker.GetPartitionCount(topic);

        public ITransportProducer CreateProducer(bool transactional = false) => broker.CreateProducer(transactional);

        public ITransportConsumer CreateConsumer(string? groupId, IRebalanceListener? listener = null) => broker.CreateConsumer(groupId, listener);

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                release();
            }

            return ValueTask.CompletedTask;
        }
    }
}
