/* Marks what the shared library exports: the library is built with hidden
 * visibility, so only the API in include/segrule/ is visible to programs. */
#ifndef SEGRULE_EXPORT_H
#define SEGRULE_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define SEGRULE_API __attribute__((visibility("default")))
#else
#define SEGRULE_API
#endif

#endif /* SEGRULE_EXPORT_H */
