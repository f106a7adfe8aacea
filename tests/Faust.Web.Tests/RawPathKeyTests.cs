using Faust.Web.Endpoints;

namespace Faust.Web.Tests;

public sealed class RawPathKeyTests
{
    [Theory]
    [InlineData("/table/t/key/", "key")]
    [InlineData("/table/t/key", "key")]
    [InlineData("/table/t/a%2Fb/?x=1/2", "a%2Fb")]
    [InlineData("/base/table/t/k/#frag", "k")]
    [InlineData("http://host:6066/table/t/k/?q", "k")]
    public void LastSegment_IsTheKeySegment_OfTheRawTarget(string raw, string segment) =>
        Assert.Equal(segment, RawPathKey.LastSegment(raw).ToString());

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a%2Fb", "a/b")]
    [InlineData("a%2fb", "a/b")]
    [InlineData("%25", "%")]
    [InlineData("%252F", "%2F")]
    [InlineData("a+b", "a+b")]
    [InlineData("%E2%82%AC", "€")]
    [InlineData("%F0%9F%98%80", "😀")]
    [InlineData("ü", "ü")]
    public void TryDecode_PercentDecodesOnce_AsUtf8(string segment, string key)
    {
        Assert.True(RawPathKey.TryDecode(segment, out var decoded));
        Assert.Equal(key, decoded);
    }

    [Theory]
    [InlineData("%")]
    [InlineData("%2")]
    [InlineData("%zz")]
    [InlineData("%FF")]
    [InlineData("%C3%28")]
    public void TryDecode_RejectsMalformedEncoding(string segment) =>
        Assert.False(RawPathKey.TryDecode(segment, out _));
}
