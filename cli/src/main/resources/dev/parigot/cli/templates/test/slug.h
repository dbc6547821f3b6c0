/* slug: turns a title into a URL path segment. */
#ifndef SLUG_H
#define SLUG_H

#include <stddef.h>

/*
 * Writes title's slug to out (at most cap bytes with the NUL): ASCII letters
 * and digits lower-cased, every other run of characters one '-', none at
 * either end. Returns the slug's length, or -1 if it does not fit.
 */
int slug(const char *title, char *out, size_t cap);

#endif /* SLUG_H */
