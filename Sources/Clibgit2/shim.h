#ifndef RELKIT_CLIBGIT2_SHIM_H
#define RELKIT_CLIBGIT2_SHIM_H
#include <git2.h>
#include <git2/sys/mempack.h>
#include <git2/odb_backend.h>
#include <git2/sys/odb_backend.h>
/* libgit2 1.8 moved git_error_set_str here (1.5 declares it in git2/errors.h). */
#if __has_include(<git2/sys/errors.h>)
#include <git2/sys/errors.h>
#endif
#include <zlib.h>

/* inflateInit2 is a macro (it passes zlib's version and struct size), which Swift cannot call. */
static inline int relkit_inflate_init2(z_stream *stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}

/* Calls through the function pointers of a pack writer (Swift can, but this keeps it in one place). */
static inline int relkit_writepack_append(git_odb_writepack *writer, const void *data, size_t size, git_indexer_progress *stats) {
    return writer->append(writer, data, size, stats);
}
static inline int relkit_writepack_commit(git_odb_writepack *writer, git_indexer_progress *stats) {
    return writer->commit(writer, stats);
}
static inline void relkit_writepack_free(git_odb_writepack *writer) {
    writer->free(writer);
}

/* Frees an object-database backend that no database took (git_odb_add_backend failed). */
static inline void relkit_odb_backend_free(git_odb_backend *backend) {
    if (backend && backend->free) backend->free(backend);
}

/* git_libgit2_opts is variadic, which Swift cannot call: one small function per option. */

/* Cache parsed objects of a type up to `size` bytes each (libgit2 caches trees only up to 4 KiB). */
static inline int relkit_set_cache_object_limit(git_object_t type, size_t size) {
    return git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, type, size);
}

/* Whether every object read is hashed again to check it (git does not; git fsck does). */
static inline int relkit_set_strict_hash_verification(int enabled) {
    return git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, enabled);
}

/* Every file libgit2 writes in the git directory (loose objects, packs and their indexes, refs,
   reflogs) fsynced before it is renamed into place: objects durable before what names them. */
static inline int relkit_enable_fsync_gitdir(int enabled) {
    return git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, enabled);
}

/* The total size of the object cache. */
static inline int relkit_set_cache_max_size(ssize_t size) {
    return git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, size);
}

#endif
