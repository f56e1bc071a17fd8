namespace SgdWalk; internal static class Placeholder { }
