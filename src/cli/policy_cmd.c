/* placeholder until the policy compiler lands (replaced by its author) */
#include "cli/commands.h"

#include <stdio.h>

int hf_policy_command(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("holdfast policy: not built yet\n", stderr);
    return 2;
}
