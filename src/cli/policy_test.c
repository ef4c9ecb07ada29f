/* placeholder until the conversation engine lands */
#include "cli/commands.h"

#include <stdio.h>

int hf_policy_test_command(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("holdfast policy test: not built yet\n", stderr);
    return 2;
}
