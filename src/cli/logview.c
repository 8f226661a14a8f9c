/* vxe log: being written. */
#include <stdio.h>

#include "cli/cli.h"

int vxe_cmd_log(int argc, char **argv)
{
	fprintf(stderr, "vxe: log: not implemented yet\n");
	return 125;
}
