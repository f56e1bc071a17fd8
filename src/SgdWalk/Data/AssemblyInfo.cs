using System.Runtime.CompilerServices;

// The tests reach the directory lookup with an injected environment (no process-wide SGDWALK_DATA changes).
[assembly: InternalsVisibleTo("SgdWalk.Tests")]
