using ScottPlot;
using SkiaSharp;

namespace SgdWalk.Reporting.Figures;

/// <summary>
/// Renders plots stacked top to bottom into one PNG and one SVG. Every panel gets the same fixed padding, so the
/// data areas line up and panels that share the x axis (t + α, step) read as one figure.
/// </summary>
internal static partial class PanelStack
{
    private static readonly PixelPadding Padding = new(left: 100, right: 40, bottom: 62, top: 46);

    /// <summary>Room on the right for a colour bar.</summary>
    public static readonly PixelPadding WithColorBar = new(left: 100, right: 170, bottom: 62, top: 46);

    public static FigureFile Save(string directory, string name, string title, string caption, int width, int height,
        params (Plot Plot, double Weight)[] panels) =>
        Save(directory, name, title, caption, width, height, Padding, panels);

    public static FigureFile Save(string directory, string name, string title, string caption, int width, int height,
        PixelPadding padding, params (Plot Plot, double Weight)[] panels)
    {
        Directory.CreateDirectory(directory);
        foreach (var (plot, _) in panels)
        {
            // A panel without an x label shares the axis of the panel below, so it needs less room underneath.
            bool labelled = !string.IsNullOrEmpty(plot.Axes.Bottom.Label.Text);
            plot.Layout.Fixed(labelled ? padding : new PixelPadding(padding.Left, padding.Right, 30, padding.Top));
            // Each plot would otherwise clear the whole canvas, erasing the panels drawn before it.
            plot.RenderManager.ClearCanvasBeforeEachRender = false;
        }
        var rects = Layout(panels.Select(p => p.Weight).ToArray(), width, height);

        string png = Path.Combine(directory, name + ".png");
        using (var surface = SKSurface.Create(new SKImageInfo(width, height)))
        {
            Draw(surface.Canvas, panels, rects);
            using var image = surface.Snapshot();
            using var data = image.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(png, data.ToArray());
        }

        string svg = Path.Combine(directory, name + ".svg");
        using (var stream = new MemoryStream())
        {
            // The SVG canvas writes its closing tag when disposed, so dispose before reading the stream.
            using (var canvas = SKSvgCanvas.Create(new SKRect(0, 0, width, height), stream))
                Draw(canvas, panels, rects);
            File.WriteAllText(svg, StableIds(System.Text.Encoding.UTF8.GetString(stream.ToArray())));
        }
        return new FigureFile(name, title, caption, png, svg);
    }

    /// <summary>
    /// Skia names clip paths from a counter that lives as long as the process, so the same figure drawn twice would
    /// differ; number them from 1 in order of appearance so a redrawn report is byte-identical.
    /// </summary>
    private static string StableIds(string svg)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        return ClipId().Replace(svg, m =>
        {
            if (!names.TryGetValue(m.Groups[2].Value, out string? name))
                names[m.Groups[2].Value] = name = "clip" + (names.Count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return m.Groups[1].Value + name + m.Groups[3].Value;
        });
    }

    [System.Text.RegularExpressions.GeneratedRegex("(id=\"|url\\(#)(cl_[0-9a-fA-F]+)(\"|\\))")]
    private static partial System.Text.RegularExpressions.Regex ClipId();

    private static void Draw(SKCanvas canvas, (Plot Plot, double Weight)[] panels, PixelRect[] rects)
    {
        canvas.Clear(SKColors.White);
        for (int i = 0; i < panels.Length; i++) panels[i].Plot.Render(canvas, rects[i]);
    }

    private static PixelRect[] Layout(double[] weights, int width, int height)
    {
        double total = weights.Sum();
        var rects = new PixelRect[weights.Length];
        double top = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            double bottom = i == weights.Length - 1 ? height : top + height * weights[i] / total;
            rects[i] = new PixelRect(0, width, (float)Math.Round(bottom), (float)Math.Round(top));
            top = bottom;
        }
        return rects;
    }
}
