#ifndef RELKIT_STATIC_LINK_STUBS_H
#define RELKIT_STATIC_LINK_STUBS_H
/* How many times libgit2 asked to read a certificate file and was refused (see stubs.c); the
   tests read it to show that libgit2's call reaches the stub. */
int relkit_refused_certificate_files(void);
#endif
