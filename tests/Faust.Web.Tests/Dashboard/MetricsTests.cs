using System.Diagnostics.Metrics;
using System.Net;
using System.Text.RegularExpressions;
using Faust.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Faust.Web.Tests.Dashboard;

// /metrics (Prometheus text, written by hand) and FaustInstruments (System.Diagnostics.Metrics, meter "Faust").
public sealed partial class MetricsTests : IDisposable
{
    private readonly FaustWebFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Metrics_AfterClicks_ExposeFaustsSensorsInPrometheusTextFormat()
    {
        var client = await _factory.CreateReadyClientAsync();
        await DashboardApiTests.PostClicksAsync(client, 16, urls: 4);
        await Eventually.UntilAsync(() => DashboardApiTests.GetJsonAsync(client, "/api/overview"),
            o => o.GetProperty("totals").GetProperty("events").GetInt64() == 16 && o.GetProperty("totals").GetProperty("sent").GetInt64() >= 20,
            "the monitor to count 16 events and their changelog records");

        using var response = await client.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.True(line.StartsWith("# HELP faust_", StringComparison.Ordinal) || line.StartsWith("# TYPE faust_", StringComparison.Ordinal)
                || SampleLine().IsMatch(line), $"not a Prometheus line: {line}");
        }

        Assert.Contains("# TYPE faust_messages_received_total counter", text, StringComparison.Ordinal);
        Assert.Equal(16, Sum(text, "faust_messages_received_total{topic=\"clicks\""));
        Assert.Contains("faust_total_events_total{agent=\"count_click\"} 16\n", text, StringComparison.Ordinal);
        Assert.Contains("faust_table_operations_total{table=\"click_counts\",operation=\"set\"} 16\n", text, StringComparison.Ordinal);
        Assert.InRange(Sum(text, $"faust_topic_messages_sent_total{{topic=\"{_factory.Changelog("click_counts")}\""), 4, 16); // one per key and commit
        Assert.Contains("faust_table_keys{table=\"click_counts\"} 4\n", text, StringComparison.Ordinal);
        Assert.Contains("faust_worker_ready 1\n", text, StringComparison.Ordinal);
        Assert.Contains("faust_consumer_lag{topic=\"clicks\",partition=\"0\"}", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE faust_consumer_commit_stalled_seconds gauge", text, StringComparison.Ordinal);
        Assert.DoesNotContain("faust_consumer_commit_stalled_seconds{", text, StringComparison.Ordinal); // nothing is stalled
        Assert.Contains("faust_events_runtime_ms_count{agent=\"count_click\"}", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Instruments_OnTheFaustMeter_ReportWhatTheMonitorCounted()
    {
        var client = await _factory.CreateReadyClientAsync();
        var instruments = _factory.Services.GetRequiredService<FaustInstruments>();
        var measurements = new List<(string Instrument, long Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, instruments.Meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            lock (measurements)
            {
                measurements.Add((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));
            }
        });
        listener.Start();

        await DashboardApiTests.PostClicksAsync(client, 12, urls: 3);
        await Eventually.UntilAsync(() => DashboardApiTests.GetJsonAsync(client, "/api/overview"),
            o => o.GetProperty("totals").GetProperty("events").GetInt64() == 12, "the monitor to count 12 events");
        listener.RecordObservableInstruments();

        lock (measurements)
        {
            Assert.Equal(FaustInstruments.MeterName, instruments.Meter.Name);
            Assert.Equal(12, measurements.Where(m => m.Instrument == "messages_received" && (string?)m.Tags["topic"] == "clicks").Sum(m => m.Value));
            Assert.Equal(12, measurements.Single(m => m.Instrument == "total_events" && (string?)m.Tags["agent"] == "count_click").Value);
            Assert.Equal(12, measurements.Single(m => m.Instrument == "table_operations"
                && (string?)m.Tags["table"] == "click_counts" && (string?)m.Tags["operation"] == "set").Value);
            Assert.Contains(measurements, m => m.Instrument == "consumer_lag");
        }
    }

    private static long Sum(string text, string prefix) =>
        text.Split('\n').Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).Sum(l => long.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));

    [GeneratedRegex("""^faust_[a-z_]+(\{([a-z_]+="([^"\\\n]|\\\\|\\"|\\n)*",?)*\})? (-?[0-9.eE+-]+|\+Inf|-Inf|NaN)$""")]
    private static partial Regex SampleLine();
}
