using Faust.Transport.Kafka;

// Starts librdkafka's mock Kafka cluster in this process and prints its bootstrap address, so a person can run
// the server against Kafka without a broker:
//
//   dotnet run --project tools/Faust.MockKafka -- --topic clicks:8 --topic faust-demo-click_counts-changelog:8
//   dotnet run --project Faust.Web -- --Faust:Broker=kafka://127.0.0.1:PORT
//
// The mock has no CreateTopics API, so topics are created here (--topic name:partitions); an app declaring a
// topic that does not exist stops at start-up naming it. Without --topic, the topics of Faust.Web's sample app
// (Faust:Id faust-demo, 8 partitions) are created. Stop with Ctrl+C. Everything lives in memory.
var brokers = 1;
var topics = new List<(string Name, int Partitions)>();
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--brokers" when i + 1 < args.Length && int.TryParse(args[i + 1], out var n) && n > 0:
            brokers = n;
            i++;
            break;
        case "--topic" when i + 1 < args.Length:
            var spec = args[++i].Split(':');
            topics.Add((spec[0], spec.Length > 1 && int.TryParse(spec[1], out var p) ? p : 8));
            break;
        default:
            Console.Error.WriteLine("usage: Faust.MockKafka [--brokers N] [--topic name[:partitions]]...");
            return 2;
    }
}

if (topics.Count == 0)
{
    // What Faust.Web/Program.cs declares (tests/Faust.Web.Tests/Kafka reads the same list from the sample itself):
    // sources, the repartition topic, table changelogs, each agent's dead-letter topic.
    foreach (var name in new[]
    {
        "clicks", "orders", "sentences", "words", "word_queries", "faust-demo-count_words-words-word-repartition",
        "faust-demo-click_counts-changelog", "faust-demo-order_totals-changelog", "faust-demo-last_order-changelog", "faust-demo-word_counts-changelog",
        "faust-demo-count_click-dlq", "faust-demo-process_order-dlq", "faust-demo-split_sentences-dlq", "faust-demo-count_words-dlq", "faust-demo-word_lookup-dlq",
    })
    {
        topics.Add((name, 8));
    }

    topics.Add(("faust-demo-__assignor-__leader", 1));
    topics.Add(("faust-demo-__assignor", 1));
}

using var cluster = new MockCluster(brokers);
cluster.SetInitialRebalanceDelay(TimeSpan.Zero);
cluster.SetControllerId(1);
foreach (var (name, partitions) in topics)
{
    cluster.CreateTopic(name, partitions);
}

Console.WriteLine($"Mock Kafka cluster ({brokers} broker{(brokers == 1 ? "" : "s")}, librdkafka {Confluent.Kafka.Library.VersionString}) at {cluster.BootstrapServers}");
foreach (var (name, partitions) in topics)
{
    Console.WriteLine($"  topic {name}: {partitions} partitions");
}

Console.WriteLine($"Run a worker with: dotnet run --project Faust.Web -- --Faust:Broker=kafka://{cluster.BootstrapServers}");
Console.WriteLine("Ctrl+C stops the cluster.");
Console.Out.Flush();

var stop = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.TrySetResult();
};
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.TrySetResult();
await stop.Task;
return 0;
