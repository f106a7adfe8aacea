using System.Net;

namespace Faust.Web.Tests;

public sealed class WordCountTests : IDisposable
{
    private readonly FaustWebFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Sentences_AreCountedPerWord_AndTheLookupAgentAnswers()
    {
        var client = await _factory.CreateReadyClientAsync();
        using (var response = await client.ProduceAsync("sentences", "s1", "The quick brown fox jumps over the lazy dog."))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        using (var response = await client.ProduceAsync("sentences", "s2", "the end"))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        // Each word is counted on its own partition after the repartition: "dog" may lag "the".
        await client.ExpectCountsAsync("word_counts", new Dictionary<string, long> { ["the"] = 3, ["dog"] = 1 });
        Assert.Equal("0", await client.ReadTableAsync("word_counts", "cat"));

        // The table key is the word; the router and the repartitioned writes agree on its partition.
        using var route = await client.GetAsync("/router/word_counts/the/");
        Assert.Equal(HttpStatusCode.OK, route.StatusCode);

        Assert.Equal("3", await client.GetStringAsync("/samples/word-count/the"));
        Assert.Equal("0", await client.GetStringAsync("/samples/word-count/cat"));
    }

    [Fact]
    public async Task InternalTopics_AreNotOpenToProduce()
    {
        var client = await _factory.CreateReadyClientAsync();
        using var response = await client.ProduceAsync($"{_factory.AppId}-count_words-words-word-repartition", "k", "v");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
