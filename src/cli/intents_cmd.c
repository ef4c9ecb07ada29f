/* placeholder until the intent classifier lands (replaced by its author) */
#include "cli/commands.h"

#include <stdio.h>

int hf_intents_command(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("holdfast intents: not built yet\n", stderr);
    return 2;
}
