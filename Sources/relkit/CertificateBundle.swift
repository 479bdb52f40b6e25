/// relkit never talks to a remote (no fetch, push or clone), yet libgit2 1.5 as Debian builds it
/// (with mbedTLS) parses the system's whole CA bundle in `git_libgit2_init`: 5 to 9 ms of every
/// command that opens a repository, a third of a one-commit backport. The executable defines the
/// mbedTLS function that reads a certificate file; the dynamic linker binds libgit2's call to the
/// executable's definition first, so the bundle is never read. An HTTPS connection made through
/// libgit2 in this process would find no trusted certificate and fail: closed, never open.
/// (The end-to-end tests check the binding with LD_DEBUG.)
@_cdecl("mbedtls_x509_crt_parse_file")
public func certificateFileIsNotRead(_ chain: UnsafeMutableRawPointer?, _ path: UnsafePointer<CChar>?) -> Int32 {
    0  // "parsed, no certificate": libgit2 goes on with an empty chain
}
