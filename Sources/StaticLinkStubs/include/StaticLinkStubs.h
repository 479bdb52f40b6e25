#ifndef RELKIT_STATIC_LINK_STUBS_H
#define RELKIT_STATIC_LINK_STUBS_H
/* How many times libgit2 asked to read a certificate file and was refused (see stubs.c); the
   tests read it to show that libgit2's call reaches the stub. */
int relkit_refused_certificate_files(void);
/* How many times mbedtls's HAVEGE source was drawn from (the kernel's generator, see stubs.c). */
int relkit_havege_draws(void);
/* Whether the mbedtls built against has HAVEGE (mbedtls 2: 1; mbedtls 3: 0, nothing to wrap). */
int relkit_has_havege(void);
/* How many times libgit2's SSH setup was left to libssh2's first session (see stubs.c). */
int relkit_skipped_ssh_setups(void);
/* Whether libssh2 makes a session (it then sets itself up): 1 or 0. */
int relkit_ssh_session_starts(void);
#endif
