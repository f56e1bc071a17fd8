namespace SgdWalk.Data;

/// <summary>A dataset the catalog can load, for help texts and listings.</summary>
public sealed record DatasetInfo(string Name, string Description, string DefaultLocation);
