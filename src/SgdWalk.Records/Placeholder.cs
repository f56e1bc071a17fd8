namespace SgdWalk.Records; internal static class Placeholder { }
