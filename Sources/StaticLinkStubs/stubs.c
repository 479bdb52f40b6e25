/*
 * Only in the opt-in static build (`make release-static`; Package.swift's RELKIT_STATIC_LIBGIT2).
 * relkit links libgit2 and what libgit2 needs statically (Package.swift, the relkit target's
 * linker settings): loading libgit2.so with its sixteen shared libraries (OpenSSL, libssh2,
 * Kerberos...) took about 3 ms of every command. relkit never talks to a remote (no fetch, push
 * or clone), so the network parts libgit2 carries are dead weight; two of them are replaced here:
 *
 * - GSSAPI (HTTP "Negotiate" authentication): Debian ships no static Kerberos. Every call fails
 *   (GSS_S_FAILURE), so libgit2 finds no Negotiate mechanism: an HTTP connection would offer no
 *   Kerberos authentication. Closed, never open.
 * - mbedtls_x509_crt_parse_file: libgit2 1.5 as Debian builds it parses the system's whole CA
 *   bundle in git_libgit2_init (5 to 9 ms). The linker sends libgit2's call here (--wrap), and
 *   nothing is read: an HTTPS connection would trust no certificate and fail. Closed, never open.
 *
 * And two parts of git_libgit2_init are made cheap (~2.1 M of its ~2.4 M instructions):
 *
 * - mbedtls's HAVEGE entropy source, which libgit2's TLS setup gets from mbedtls_entropy_init:
 *   it fills a 1,024-word pool from timing loops (~1.1 M instructions). The source stays, and
 *   draws from the kernel's random generator instead (getrandom, which mbedtls's platform
 *   source reads too): as strong, with nothing to set up (--wrap=mbedtls_havege_init and
 *   mbedtls_havege_random).
 * - libgit2's SSH setup calls libssh2_init, which sets up OpenSSL's algorithms (~1 M
 *   instructions). libssh2 initialises itself when its first session is made (libgit2's
 *   THREADING.md), and relkit makes none: the setup is left to then
 *   (--wrap=git_transport_ssh_global_init).
 */
#include <errno.h>
#include <stddef.h>
#include <sys/random.h>
#include <libssh2.h>
#if __has_include(<mbedtls/havege.h>)
/* mbedtls 2 (Debian 12). mbedtls 3 has no HAVEGE: libgit2 makes no such call to wrap there. */
#include <mbedtls/havege.h>
#define RELKIT_HAVE_HAVEGE 1
#endif
#include "StaticLinkStubs.h"

typedef unsigned int relkit_gss_status;
#define RELKIT_GSS_S_FAILURE (13u << 16)

/* gss_OID GSS_C_NT_HOSTBASED_SERVICE: no name type. */
void *GSS_C_NT_HOSTBASED_SERVICE = NULL;

static relkit_gss_status fail(relkit_gss_status *minor) {
    if (minor) *minor = 0;
    return RELKIT_GSS_S_FAILURE;
}

static relkit_gss_status done(relkit_gss_status *minor) {
    if (minor) *minor = 0;
    return 0;
}

relkit_gss_status gss_indicate_mechs(relkit_gss_status *minor, void *mechanisms) { (void)mechanisms; return fail(minor); }
relkit_gss_status gss_import_name(relkit_gss_status *minor, void *buffer, void *type, void *name) {
    (void)buffer; (void)type; (void)name; return fail(minor);
}
relkit_gss_status gss_init_sec_context(relkit_gss_status *minor, void *credentials, void *context, void *target, void *mechanism,
                                       relkit_gss_status flags, relkit_gss_status time, void *bindings, void *input, void *actual,
                                       void *output, void *returned, void *validity) {
    (void)credentials; (void)context; (void)target; (void)mechanism; (void)flags; (void)time;
    (void)bindings; (void)input; (void)actual; (void)output; (void)returned; (void)validity;
    return fail(minor);
}
relkit_gss_status gss_display_status(relkit_gss_status *minor, relkit_gss_status status, int type, void *mechanism,
                                     relkit_gss_status *context, void *buffer) {
    (void)status; (void)type; (void)mechanism; (void)context; (void)buffer; return fail(minor);
}
relkit_gss_status gss_delete_sec_context(relkit_gss_status *minor, void *context, void *token) { (void)context; (void)token; return done(minor); }
relkit_gss_status gss_release_buffer(relkit_gss_status *minor, void *buffer) { (void)buffer; return done(minor); }
relkit_gss_status gss_release_name(relkit_gss_status *minor, void *name) { (void)name; return done(minor); }
relkit_gss_status gss_release_oid_set(relkit_gss_status *minor, void *set) { (void)set; return done(minor); }

static int refused_certificate_files = 0;

int relkit_refused_certificate_files(void) { return refused_certificate_files; }

/* "Parsed, no certificate": libgit2 goes on with an empty chain. */
int __wrap_mbedtls_x509_crt_parse_file(void *chain, const char *path) {
    (void)chain; (void)path;
    refused_certificate_files++;
    return 0;
}

static int havege_draws = 0;
static int skipped_ssh_setups = 0;

int relkit_havege_draws(void) { return havege_draws; }
int relkit_skipped_ssh_setups(void) { return skipped_ssh_setups; }
int relkit_has_havege(void) {
#ifdef RELKIT_HAVE_HAVEGE
    return 1;
#else
    return 0;
#endif
}

#ifdef RELKIT_HAVE_HAVEGE
/* Nothing to fill, not even with zeros (36 KiB): the draws below never read the state. */
void __wrap_mbedtls_havege_init(mbedtls_havege_state *state) { (void)state; }

/* `length` bytes from the kernel's generator; -1 (the source failed) when it gives none. */
int __wrap_mbedtls_havege_random(void *state, unsigned char *output, size_t length) {
    (void)state;
    size_t done = 0;
    while (done < length) {
        ssize_t got = getrandom(output + done, length - done, 0);
        if (got < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        done += (size_t)got;
    }
    havege_draws++;
    return 0;
}
#endif

int __wrap_git_transport_ssh_global_init(void) {
    skipped_ssh_setups++;
    return 0;
}

int relkit_ssh_session_starts(void) {
    LIBSSH2_SESSION *session = libssh2_session_init();
    if (!session) return 0;
    libssh2_session_free(session);
    return 1;
}
