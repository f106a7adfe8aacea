using System.Runtime.InteropServices;
using System.Text;

namespace Faust.Transport.Kafka;

// librdkafka's mock cluster: Kafka brokers inside this process that speak the real protocol on 127.0.0.1.
//
// It runs in the librdkafka Confluent.Kafka loaded (see LibrdkafkaNative).
//
// What the mock does not do (see DESIGN "Real components"): no CreateTopics/DescribeConfigs/DescribeGroups,
// no compaction, transactions accepted but not enforced; a metadata request that allows auto-creation creates
// an unknown topic with 4 partitions.
internal sealed unsafe class MockCluster : IDisposable
{
    private static LibrdkafkaNative Lib => LibrdkafkaNative.Instance;
    private IntPtr _rk;
    private IntPtr _cluster;

    /// <summary>Starts a mock cluster of <paramref name="brokers"/> brokers.</summary>
    public MockCluster(int brokers = 1)
    {
        var lib = Lib;
        var conf = lib.ConfNew();
        Set(lib, conf, "log_level", "3");
        var error = stackalloc byte[512];
        _rk = lib.New(1 /* RD_KAFKA_PRODUCER */, conf, error, 512);
        if (_rk == IntPtr.Zero)
        {
            throw new InvalidOperationException("rd_kafka_new failed: " + Marshal.PtrToStringUTF8((IntPtr)error));
        }

        _cluster = lib.ClusterNew(_rk, brokers);
        if (_cluster == IntPtr.Zero)
        {
            lib.Destroy(_rk);
            throw new InvalidOperationException("rd_kafka_mock_cluster_new failed.");
        }

        BootstrapServers = Marshal.PtrToStringUTF8(lib.Bootstraps(_cluster))!;
    }

    /// <summary>The mock's address list, <c>127.0.0.1:port[,...]</c>.</summary>
    public string BootstrapServers { get; }

    /// <summary>The path of the librdkafka the mock runs in (the one Confluent.Kafka loaded).</summary>
    public static string LibraryPath => Lib.Path;

    /// <summary>Creates a topic (the mock has no CreateTopics API).</summary>
    public void CreateTopic(string topic, int partitions, int replicationFactor = 1) =>
        Check(WithUtf8(topic, t => Lib.TopicCreate(_cluster, t, partitions, replicationFactor)), $"rd_kafka_mock_topic_create({topic})");

    /// <summary>How long the coordinator waits for more members before the first assignment of a group (Kafka's
    /// <c>group.initial.rebalance.delay.ms</c>); tests use 0.</summary>
    public void SetInitialRebalanceDelay(TimeSpan delay) => Lib.InitialRebalanceDelay(_cluster, (int)delay.TotalMilliseconds);

    /// <summary>Makes a broker the controller (admin requests wait for one).</summary>
    public void SetControllerId(int brokerId) => Check(Lib.SetControllerId(_cluster, brokerId), $"rd_kafka_mock_set_controller_id({brokerId})");

    /// <summary>Takes a broker down: it closes its connections and refuses new ones.</summary>
    public void SetBrokerDown(int brokerId) => Check(Lib.BrokerSetDown(_cluster, brokerId), $"rd_kafka_mock_broker_set_down({brokerId})");

    /// <summary>Brings a broker back up.</summary>
    public void SetBrokerUp(int brokerId) => Check(Lib.BrokerSetUp(_cluster, brokerId), $"rd_kafka_mock_broker_set_up({brokerId})");

    /// <summary>Starts recording the requests the brokers receive.</summary>
    public void StartRequestTracking() => Lib.StartTracking(_cluster);

    /// <summary>Clears the recorded requests.</summary>
    public void ClearRequests() => Lib.ClearRequests(_cluster);

    /// <summary>The Kafka API keys of the requests recorded since tracking started (for example 28 =
    /// TxnOffsetCommit), in arrival order.</summary>
    public IReadOnlyList<short> RecordedApiKeys()
    {
        var lib = Lib;
        nuint count = 0;
        var requests = lib.GetRequests(_cluster, &count);
        var keys = new short[(int)count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = lib.RequestApiKey(requests[i]);
        }

        if (requests != null)
        {
            lib.RequestDestroyArray(requests, count);
        }

        return keys;
    }

    public void Dispose()
    {
        if (_cluster != IntPtr.Zero)
        {
            Lib.ClusterDestroy(_cluster);
            _cluster = IntPtr.Zero;
        }

        if (_rk != IntPtr.Zero)
        {
            Lib.Destroy(_rk);
            _rk = IntPtr.Zero;
        }
    }

    private static void Set(LibrdkafkaNative lib, IntPtr conf, string name, string value)
    {
        var error = stackalloc byte[512];
        var n = Encoding.UTF8.GetBytes(name + "\0");
        var v = Encoding.UTF8.GetBytes(value + "\0");
        fixed (byte* pn = n, pv = v)
        {
            if (lib.ConfSet(conf, pn, pv, error, 512) != 0)
            {
                throw new InvalidOperationException($"rd_kafka_conf_set({name}): " + Marshal.PtrToStringUTF8((IntPtr)error));
            }
        }
    }

    private static int WithUtf8(string text, Func<IntPtr, int> call)
    {
        var bytes = Encoding.UTF8.GetBytes(text + "\0");
        fixed (byte* p = bytes)
        {
            return call((IntPtr)p);
        }
    }

    private static void Check(int error, string what)
    {
        if (error != 0)
        {
            throw new InvalidOperationException($"{what} failed with librdkafka error {error}.");
        }
    }
}
