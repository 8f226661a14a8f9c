/* Shared by the policy loader and `vxe check`. */
#ifndef VXE_POLICY_INTERNAL_H
#define VXE_POLICY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "vxe/policy.h"

#define VXE_NR_MAX_POLICY 512

struct vxe_load {
	struct vxe_policy *p;
	vl_state *st;
	bool seen_header;
	size_t *ptab;	  /* open addressing over p->paths: index + 1, 0 empty */
	size_t ptab_size; /* a power of two, or 0 */
	size_t paths_cap; /* allocated entries of p->paths */
};

/* Lexical normalisation of an absolute path (collapses //, /./, /../; never
 * above /). False if not absolute or longer than size. */
bool vxe_path_normalize(const char *in, char *out, size_t size);
/* Is path (normalised) dir itself or below it, component-wise? */
bool vxe_path_under(const char *path, const char *dir);

#endif
