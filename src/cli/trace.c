/* vxe trace: being written. */
#include <stdio.h>

#include "cli/cli.h"

int vxe_cmd_trace(int argc, char **argv)
{
	fprintf(stderr, "vxe: trace: not implemented yet\n");
	return 125;
}
