using System.Globalization;
using System.Text;

namespace Faust.Web.Metrics;

// Prometheus' text exposition format 0.0.4, written by hand (no client library): one HELP and TYPE line per
// metric family, then its samples. Label values escape backslash, double quote and newline; numbers use the
// invariant culture, and non-finite doubles are written as Prometheus spells them.
internal sealed class PrometheusWriter
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _text = new();
    private readonly string _prefix;

    public PrometheusWriter(string prefix) => _prefix = prefix;

    /// <summary>Starts a metric family; <paramref name="type"/> is counter, gauge, summary or untyped.</summary>
    public PrometheusWriter Family(string name, string type, string help)
    {
        _text.Append("# HELP ").Append(_prefix).Append(name).Append(' ').Append(EscapeHelp(help)).Append('\n');
        _text.Append("# TYPE ").Append(_prefix).Append(name).Append(' ').Append(type).Append('\n');
        return this;
    }

    public PrometheusWriter Sample(string name, double value, params (string Name, string Value)[] labels)
    {
        _text.Append(_prefix).Append(name);
        if (labels.Length > 0)
        {
            _text.Append('{');
            for (var i = 0; i < labels.Length; i++)
            {
                if (i > 0)
                {
                    _text.Append(',');
                }

                _text.Append(labels[i].Name).Append("=\"");
                EscapeLabel(labels[i].Value);
                _text.Append('"');
            }

            _text.Append('}');
        }

        _text.Append(' ').Append(Format(value)).Append('\n');
        return this;
    }

    public override string ToString() => _text.ToString();

    internal static string Format(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : double.IsNaN(value) ? "NaN"
        : value.ToString("R", CultureInfo.InvariantCulture);

    private void EscapeLabel(string value)
    {
        foreach (var c in value)
        {
            _ = c switch
            {
                '\\' => _text.Append("\\\\"),
                '"' => _text.Append("\\\""),
                '\n' => _text.Append("\\n"),
                _ => _text.Append(c),
            };
        }
    }

    private static string EscapeHelp(string help) => help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
