using System.Runtime.InteropServices;

namespace Faust.Transport.Kafka;

// The librdkafka that Confluent.Kafka loaded, called directly for what Confluent does not expose: the mock
// cluster (tests, the mock tool, the benchmark) and checking pass-through property names at start-up.
//
// It must be the same file Confluent loaded (on Debian, librdkafka.so needs libsasl2.so.3, which is missing, so
// Confluent falls back to centos8-librdkafka.so): the loaded file is found in /proc/self/maps after Confluent
// initialised, and its exports are called through function pointers.
internal sealed unsafe class LibrdkafkaNative
{
private static readonly Lazy<LibrdkafkaNative> Loaded = new(Load);

public static LibrdkafkaNative Instance => Loaded.Value;

    public required string Path { get; init; }
    public required delegate* unmanaged<IntPtr> ConfNew { get; init; }
    public required delegate* unmanaged<IntPtr, void> ConfDestroy { get; init; }
    public required delegate* unmanaged<IntPtr, byte*, byte*, byte*, nuint, int> ConfSet { get; init; }
    public required delegate* unmanaged<int, IntPtr, byte*, nuint, IntPtr> New { get; init; }
    public required delegate* unmanaged<IntPtr, void> Destroy { get; init; }
    public required delegate* unmanaged<IntPtr, int, IntPtr> ClusterNew { get; init; }
    public required delegate* unmanaged<IntPtr, void> ClusterDestroy { get; init; }
    public required delegate* unmanaged<IntPtr, IntPtr> Bootstraps { get; init; }
    public required delegate* unmanaged<IntPtr, IntPtr, int, int, int> TopicCreate { get; init; }
    public required delegate* unmanaged<IntPtr, int, void> InitialRebalanceDelay { get; init; }
    public required delegate* unmanaged<IntPtr, int, int> BrokerSetDown { get; init; }
    public required delegate* unmanaged<IntPtr, int, int> SetControllerId { get; init; }
    public required delegate* unmanaged<IntPtr, int, int> BrokerSetUp { get; init; }
    public required delegate* unmanaged<IntPtr, void> StartTracking { get; init; }
    public required delegate* unmanaged<IntPtr, void> ClearRequests { get; init; }
    public required delegate* unmanaged<IntPtr, nuint*, IntPtr*> GetRequests { get; init; }
    public required delegate* unmanaged<IntPtr, short> RequestApiKey { get; init; }
    public required delegate* unmanaged<IntPtr*, nuint, void> RequestDestroyArray { get; init; }

    private static LibrdkafkaNative Load()
    {
        // Makes Confluent.Kafka load its librdkafka (it picks the file that loads on this system).
        _ = Confluent.Kafka.Library.Version;
        var path = FindLoadedLibrary() ?? "librdkafka";
        var handle = NativeLibrary.Load(path);
        IntPtr F(string name) => NativeLibrary.GetExport(handle, name);
        return new LibrdkafkaNative
        {
            Path = path,
            ConfNew = (delegate* unmanaged<IntPtr>)F("rd_kafka_conf_new"),
            ConfDestroy = (delegate* unmanaged<IntPtr, void>)F("rd_kafka_conf_destroy"),
            ConfSet = (delegate* unmanaged<IntPtr, byte*, byte*, byte*, nuint, int>)F("rd_kafka_conf_set"),
            New = (delegate* unmanaged<int, IntPtr, byte*, nuint, IntPtr>)F("rd_kafka_new"),
            Destroy = (delegate* unmanaged<IntPtr, void>)F("rd_kafka_destroy"),
            ClusterNew = (delegate* unmanaged<IntPtr, int, IntPtr>)F("rd_kafka_mock_cluster_new"),
            ClusterDestroy = (delegate* unmanaged<IntPtr, void>)F("rd_kafka_mock_cluster_destroy"),
            Bootstraps = (delegate* unmanaged<IntPtr, IntPtr>)F("rd_kafka_mock_cluster_bootstraps"),
            TopicCreate = (delegate* unmanaged<IntPtr, IntPtr, int, int, int>)F("rd_kafka_mock_topic_create"),
            InitialRebalanceDelay = (delegate* unmanaged<IntPtr, int, void>)F("rd_kafka_mock_group_initial_rebalance_delay_ms"),
            BrokerSetDown = (delegate* unmanaged<IntPtr, int, int>)F("rd_kafka_mock_broker_set_down"),
            SetControllerId = (delegate* unmanaged<IntPtr, int, int>)F("rd_kafka_mock_set_controller_id"),
            BrokerSetUp = (delegate* unmanaged<IntPtr, int, int>)F("rd_kafka_mock_broker_set_up"),
            StartTracking = (delegate* unmanaged<IntPtr, void>)F("rd_kafka_mock_start_request_tracking"),
            ClearRequests = (delegate* unmanaged<IntPtr, void>)F("rd_kafka_mock_clear_requests"),
            GetRequests = (delegate* unmanaged<IntPtr, nuint*, IntPtr*>)F("rd_kafka_mock_get_requests"),
            RequestApiKey = (delegate* unmanaged<IntPtr, short>)F("rd_kafka_mock_request_api_key"),
            RequestDestroyArray = (delegate* unmanaged<IntPtr*, nuint, void>)F("rd_kafka_mock_request_destroy_array"),
        };
    }

    /// <summary>Sets each property on a fresh librdkafka configuration.</summary>
    /// <returns>librdkafka's complaint per rejected property (unknown name, invalid value); empty when all are valid.</returns>
    public IReadOnlyList<(string Name, string Error)> CheckProperties(IEnumerable<KeyValuePair<string, string>> properties)
    {
        var problems = new List<(string, string)>();
        var conf = ConfNew();
        try
        {
            var error = stackalloc byte[512];
            foreach (var (name, value) in properties)
            {
                var n = System.Text.Encoding.UTF8.GetBytes(name + "\0");
                var v = System.Text.Encoding.UTF8.GetBytes(value + "\0");
                fixed (byte* pn = n, pv = v)
                {
                    if (ConfSet(conf, pn, pv, error, 512) != 0)
                    {
                        problems.Add((name, Marshal.PtrToStringUTF8((IntPtr)error) ?? "rejected"));
                    }
                }
            }
        }
        finally
        {
            ConfDestroy(conf);
        }

        return problems;
    }

    private static string? FindLoadedLibrary()
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps))
        {
            return null;
        }

        foreach (var line in File.ReadLines(maps))
        {
            var slash = line.IndexOf('/');
            if (slash >= 0 && line.AsSpan(slash).EndsWith("librdkafka.so", StringComparison.Ordinal))
            {
                return line[slash..];
            }
        }

        return null;
    }
}
