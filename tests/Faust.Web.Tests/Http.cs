using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Faust.Web.Tests;

internal static class Http
{
    public const string ProblemJson = "application/problem+json";

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, string json) =>
        client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    public static Task<HttpResponseMessage> ProduceAsync<TKey, TValue>(this HttpClient client, string topic, TKey key, TValue value) =>
        client.PostAsJsonAsync($"/topics/{topic}", new { key, value });

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    // Asserts a ProblemDetails response with the status and Faust's "error" member; returns the body.
    public static async Task<JsonElement> AssertProblemAsync(this HttpResponseMessage response, int status, string? error = null)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"Expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal(ProblemJson, response.Content.Headers.ContentType?.MediaType);
        var json = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal(status, json.GetProperty("status").GetInt32());
        if (error is not null)
        {
            Assert.Equal(error, json.GetProperty("error").GetString());
        }

        return json;
    }

    public static async Task<string> ReadTableAsync(this HttpClient client, string table, string key)
    {
        using var response = await client.GetAsync(TablePath(table, key));
        var body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode ? body : $"HTTP {(int)response.StatusCode} {body}";
    }

    /// <summary>Waits until GET /table/{table}/{key}/ answers each key's count (routed, so any worker will do).</summary>
    public static async Task ExpectCountsAsync(this HttpClient client, string table, IReadOnlyDictionary<string, long> expected, TimeSpan? timeout = null)
    {
        foreach (var (key, count) in expected)
        {
            await Eventually.UntilAsync(() => client.ReadTableAsync(table, key),
                body => body == count.ToString(CultureInfo.InvariantCulture),
                $"GET {TablePath(table, key)} on {client.BaseAddress?.GetLeftPart(UriPartial.Authority)} to return {count}", timeout);
        }
    }

    public static string TablePath(string table, string key) => $"/table/{table}/{Uri.EscapeDataString(key)}/";
}
