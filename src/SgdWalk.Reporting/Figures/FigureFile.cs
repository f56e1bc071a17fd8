namespace SgdWalk.Reporting.Figures;

/// <summary>A figure written to disk as PNG and SVG, with the caption the report prints under it.</summary>
internal sealed record FigureFile(string Name, string Title, string Caption, string Png, string Svg);
