using System.Xml.Linq;
using SkiaSharp;

namespace SgdWalk.Reporting.Tests;

internal static class ImageAssert
{
    /// <summary>The PNG decodes, has the requested size, and is not one flat colour (its grey levels vary).</summary>
    public static void IsDrawnPng(string path, int width, int height)
    {
        Assert.True(File.Exists(path), $"missing {path}");
        using var bitmap = SKBitmap.Decode(path);
        Assert.NotNull(bitmap);
        Assert.Equal((width, height), (bitmap.Width, bitmap.Height));
        double sum = 0, sumSquares = 0;
        int n = 0, nonWhite = 0;
        for (int y = 0; y < bitmap.Height; y += 2)
            for (int x = 0; x < bitmap.Width; x += 2)
            {
                var c = bitmap.GetPixel(x, y);
                double grey = (c.Red + c.Green + c.Blue) / 3.0;
                sum += grey; sumSquares += grey * grey; n++;
                if (grey < 250) nonWhite++;
            }
        double variance = sumSquares / n - (sum / n) * (sum / n);
        Assert.True(variance > 100, $"{path}: pixel variance {variance:F1} looks blank");
        Assert.True(nonWhite > n / 100, $"{path}: only {nonWhite} of {n} sampled pixels are drawn");
    }

    public static void IsSvg(string path, int width, int height)
    {
        Assert.True(File.Exists(path), $"missing {path}");
        var root = XDocument.Load(path).Root!;
        Assert.Equal("svg", root.Name.LocalName);
        Assert.Equal(width.ToString(System.Globalization.CultureInfo.InvariantCulture), root.Attribute("width")?.Value);
        Assert.Equal(height.ToString(System.Globalization.CultureInfo.InvariantCulture), root.Attribute("height")?.Value);
        Assert.True(root.Descendants().Count() > 20, $"{path}: almost empty SVG");
        Assert.Contains(root.Descendants(), e => e.Name.LocalName == "text"); // titles and axis labels
    }
}
