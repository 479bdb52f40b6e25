import CAllocator

/// How the process's memory is allocated, set once when it starts.
enum ProcessMemory {
    /// Heaps grow 4 MiB at a time and are not handed back while the process runs. glibc grows a
    /// thread's heap by what each allocation lacks, one `mprotect` a page (~260 of them when a
    /// second thread read a backport's history ahead), on the path the command waits for.
    /// A relkit command is short-lived: what it freed is reused, and all of it goes at its end.
    static func configure() { relkit_configure_malloc() }
}
